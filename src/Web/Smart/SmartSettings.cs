using System.Collections.Immutable;

namespace Huddle.Web.Smart;

/// <summary>
/// The SMART App Launch settings (<c>Huddle:Smart</c>): the EHR tenants, the scopes asked for, the
/// longest a widget session lasts. Read once at start; a setting that cannot work stops the start with
/// the setting's name. No tenants means the widget is off (the launch answers that plainly).
/// </summary>
public sealed record SmartSettings(ImmutableArray<SmartTenant> Tenants, IReadOnlyList<string> Scopes, TimeSpan SessionLifetime, Uri? RedirectUri, SmartClientKey? ClientKey = null)
{
    /// <summary>The client authentication methods Huddle speaks at an EHR's token endpoint.</summary>
    public static readonly IReadOnlyList<string> ClientAuthentications = ["client_secret_basic", "client_secret_post", "private_key_jwt"];

    public const string Section = "Huddle:Smart";

    /// <summary>What Huddle asks for: the launch context, the user's identity and FHIR resource, and read access to the patient.</summary>
    public static readonly IReadOnlyList<string> DefaultScopes = ["launch", "openid", "fhirUser", "patient/Patient.rs"];

    /// <summary>The tenant whose FHIR base is <paramref name="iss"/>, or null (not on the allow-list).</summary>
    public SmartTenant? TenantOf(string? iss) =>
        iss is not null && Uri.TryCreate(iss, UriKind.Absolute, out var uri) ? Tenants.FirstOrDefault(t => t.Key == IssKey(uri)) : null;

    /// <summary>The tenant of id <paramref name="id"/> (the widget's address names it), or null.</summary>
    public SmartTenant? TenantById(string? id) => Tenants.FirstOrDefault(t => t.Id == id);

    /// <summary>An <c>iss</c> as compared.</summary>
    public static string IssKey(Uri iss)
    {
        ArgumentNullException.ThrowIfNull(iss);
        return iss.GetLeftPart(UriPartial.Authority).ToLowerInvariant() + iss.AbsolutePath.TrimEnd('/');
    }

    public static SmartSettings From(IConfiguration configuration, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        var section = configuration.GetSection(Section);
        var tenants = section.GetSection("Tenants").GetChildren().Select((t, i) => Tenant(t, $"{Section}:Tenants:{i}", environment)).ToImmutableArray();
        if (tenants.GroupBy(t => t.Key).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new InvalidOperationException($"{Section}:Tenants lists the EHR '{twice.Key}' twice.");
        }

        if (tenants.GroupBy(t => t.Id).FirstOrDefault(g => g.Count() > 1) is { } sameId)
        {
            throw new InvalidOperationException($"{Section}:Tenants has two tenants of Id '{sameId.Key}'.");
        }

        var scopes = section.GetSection("Scopes").Get<string[]>() is { Length: > 0 } configured ? configured : DefaultScopes;
        foreach (var required in DefaultScopes.Take(3))
        {
            if (!scopes.Contains(required, StringComparer.Ordinal))
            {
                throw new InvalidOperationException($"{Section}:Scopes must include '{required}'.");
            }
        }

        var lifetime = section.GetValue("SessionLifetime", TimeSpan.FromHours(8));
        if (lifetime <= TimeSpan.Zero || lifetime > TimeSpan.FromHours(24))
        {
            throw new InvalidOperationException($"{Section}:SessionLifetime must be above zero and at most 24 hours.");
        }

        Uri? redirect = null;
        if (section["RedirectUri"] is { Length: > 0 } configuredRedirect
            && (!Uri.TryCreate(configuredRedirect, UriKind.Absolute, out redirect) || redirect.AbsolutePath != SmartEndpoints.CallbackPath))
        {
            throw new InvalidOperationException($"{Section}:RedirectUri '{configuredRedirect}' must be Huddle's public address ending in {SmartEndpoints.CallbackPath}.");
        }

        var key = SmartClientKey.From(configuration);
        if (key is null && tenants.FirstOrDefault(t => t.ClientAuthentication == "private_key_jwt") is { } signed)
        {
            throw new InvalidOperationException($"{Section}:Tenants: '{signed.Id}' authenticates with private_key_jwt, which needs Huddle's key: set {SmartClientKey.Key}.");
        }

        return new SmartSettings(tenants, scopes, lifetime, redirect, key);
    }

    private static SmartTenant Tenant(IConfigurationSection section, string path, IHostEnvironment environment)
    {
        string Required(string key) => section[key] is { Length: > 0 } value ? value : throw new InvalidOperationException($"{path}:{key} is required.");

        var issText = Required("Iss");
        if (!Uri.TryCreate(issText, UriKind.Absolute, out var iss) || !string.IsNullOrEmpty(iss.Query) || !string.IsNullOrEmpty(iss.Fragment)
            || (iss.Scheme != Uri.UriSchemeHttps && !(environment.IsDevelopment() && iss.Scheme == Uri.UriSchemeHttp)))
        {
            throw new InvalidOperationException($"{path}:Iss '{issText}' is not the https address of the EHR's FHIR base (plain http in Development only).");
        }

        var authentication = section["ClientAuthentication"] is { Length: > 0 } method ? method : "client_secret_basic";
        if (!ClientAuthentications.Contains(authentication))
        {
            throw new InvalidOperationException($"{path}:ClientAuthentication '{authentication}' is not one Huddle speaks: {string.Join(", ", ClientAuthentications)}.");
        }

        var thumbprint = section["CertificateSha256"] is { Length: > 0 } pinned ? pinned.Replace(":", "", StringComparison.Ordinal).ToUpperInvariant() : null;
        if (thumbprint is not null && (thumbprint.Length != 64 || !thumbprint.All(Uri.IsHexDigit)))
        {
            throw new InvalidOperationException($"{path}:CertificateSha256 must be a SHA-256 certificate fingerprint (64 hex digits).");
        }

        var id = Required("Id");
        if (!System.Text.RegularExpressions.Regex.IsMatch(id, "^[a-z0-9][a-z0-9-]{0,39}$"))
        {
            throw new InvalidOperationException($"{path}:Id '{id}' must be 1-40 lower-case letters, digits and hyphens (it is part of the widget's address).");
        }

        return new SmartTenant(
            id,
            section["Name"] is { Length: > 0 } name ? name : iss.Host,
            iss,
            Required("ClientId"),
            // With private_key_jwt Huddle's key stands in for a secret.
            authentication == "private_key_jwt" ? "" : Required("ClientSecret"),
            authentication,
            Security.OriginCheck.Normalized(section.GetSection("FrameOrigins").Get<string[]>() ?? [], $"{path}:FrameOrigins"),
            Required("UserIdentifierSystem"),
            Required("PatientIdentifierSystem"),
            section.GetValue("FrameableLogin", true),
            thumbprint);
    }
}
