namespace Huddle.Web.Smart;

/// <summary>The EHR's token response, as far as Huddle reads it (SMART App Launch 2.2, "Obtain access token").</summary>
public sealed record SmartTokenResponse(
    string AccessToken,
    string IdToken,
    IReadOnlySet<string>? Scopes,
    TimeSpan? ExpiresIn,
    string? Patient,
    bool NeedPatientBanner,
    Uri? StyleUrl);
