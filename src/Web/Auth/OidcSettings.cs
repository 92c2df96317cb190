namespace Huddle.Web.Auth;

/// <summary>
/// Organisation sign-in through any standard OpenID Connect provider (<c>Huddle:Authentication:Oidc</c>,
/// docs/operations.md): browsers by the authorization code flow with PKCE, API, hub and widget
/// clients with the provider's JWT access tokens. Unset <see cref="Authority"/> means not configured.
/// Read once at start; a setting that cannot work stops the start with the setting's name.
/// </summary>
public sealed record OidcSettings(
    Uri Authority,
    string ClientId,
    string? ClientSecret,
    string Audience,
    IReadOnlyList<string> Scopes,
    string UserIdClaim,
    string ProviderName,
    bool RequireHttpsMetadata)
{
    public const string Section = "Huddle:Authentication:Oidc";

    /// <summary>The browser's sign-in scheme (code flow with PKCE).</summary>
    public const string BrowserScheme = "oidc";

    /// <summary>The scheme of the provider's access tokens on <c>/api</c> and <c>/hubs</c>.</summary>
    public const string BearerScheme = "oidc-bearer";

    /// <summary>Where the provider sends the browser back with its code.</summary>
    public const string CallbackPath = "/signin-oidc";

    /// <summary>Where the provider sends the browser back after signing it out.</summary>
    public const string SignedOutCallbackPath = "/signout-callback-oidc";

    /// <summary>The settings, or null when <c>Authority</c> is unset (organisation sign-in off).</summary>
    public static OidcSettings? From(IConfiguration configuration, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        var section = configuration.GetSection(Section);
        var authority = section["Authority"];
        if (string.IsNullOrWhiteSpace(authority))
        {
            return null;
        }

        if (!Uri.TryCreate(authority, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new InvalidOperationException($"{Section}:Authority '{authority}' is not an absolute https address of an OpenID Connect provider.");
        }

        var requireHttps = section.GetValue("RequireHttpsMetadata", true);
        if (!requireHttps && !environment.IsDevelopment())
        {
            // The provider's keys decide who is who: fetched in clear, anyone on the path could sign in as anyone.
            throw new InvalidOperationException($"{Section}:RequireHttpsMetadata may be false in Development only.");
        }

        if (requireHttps && uri.Scheme != Uri.UriSchemeHttps)
        {
            throw new InvalidOperationException($"{Section}:Authority '{authority}' must use https (RequireHttpsMetadata false is for Development only).");
        }

        var clientId = section["ClientId"];
        if (string.IsNullOrWhiteSpace(clientId))
        {
            throw new InvalidOperationException($"{Section}:ClientId is required with {Section}:Authority: the client id the provider registered for Huddle.");
        }

        var scopes = section.GetSection("Scopes").Get<string[]>() is { Length: > 0 } configured ? configured : ["openid", "profile"];
        if (!scopes.Contains("openid", StringComparer.Ordinal))
        {
            throw new InvalidOperationException($"{Section}:Scopes must include 'openid'.");
        }

        return new OidcSettings(
            uri,
            clientId,
            string.IsNullOrEmpty(section["ClientSecret"]) ? null : section["ClientSecret"],
            section["Audience"] is { Length: > 0 } audience ? audience : clientId,
            scopes,
            section["UserIdClaim"] is { Length: > 0 } claim ? claim : "sub",
            section["ProviderName"] is { Length: > 0 } name ? name : "your organization's account",
            requireHttps);
    }
}
