namespace Huddle.Web.Smart;

/// <summary>
/// One EHR tenant allowed to launch Huddle's widget (<c>Huddle:Smart:Tenants</c>, docs/integration.md):
/// its FHIR base (the launch's <c>iss</c>, matched exactly), the client Huddle is registered as there and
/// how it authenticates (<see cref="ClientAuthentication"/>: a secret, or Huddle's key for <c>private_key_jwt</c>,
/// when <see cref="ClientSecret"/> is empty),
/// the origins whose pages may frame the widget, and the identifier systems that carry Huddle's user and
/// patient ids on the EHR's Practitioner and Patient resources.
/// </summary>
public sealed record SmartTenant(
    string Id,
    string Name,
    Uri Iss,
    string ClientId,
    string ClientSecret,
    string ClientAuthentication,
    IReadOnlySet<string> FrameOrigins,
    string UserIdentifierSystem,
    string PatientIdentifierSystem,
    bool FrameableLogin,
    string? CertificateSha256)
{
    /// <summary>The tenant's <see cref="Iss"/> as compared: no trailing slash, scheme and host lower case.</summary>
    public string Key => SmartSettings.IssKey(Iss);
}
