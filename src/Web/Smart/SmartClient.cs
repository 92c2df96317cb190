using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Task = System.Threading.Tasks.Task;

namespace Huddle.Web.Smart;

/// <summary>
/// Huddle's side of SMART App Launch against one EHR tenant: reads (and caches for an hour) the EHR's
/// SMART configuration and signing keys, exchanges the code with the PKCE verifier, validates the id
/// token, and reads the Patient and the user's FHIR resource with the EHR's access token, on the
/// server only.
/// </summary>
/// <remarks>
/// Hand-written over <see cref="HttpClient"/> rather than an OAuth client library because SMART's EHR
/// launch adds what generic clients do not model (the <c>launch</c> and <c>aud</c> parameters, the
/// launch context beside the tokens, the tenant chosen per request by <c>iss</c>); the security-critical
/// parts, the JWT signature, issuer, audience and lifetime checks, are Microsoft.IdentityModel's.
/// </remarks>
public sealed class SmartClient(IHttpClientFactory clients, TimeProvider time, SmartSettings settings)
{
    /// <summary>The named HTTP client for EHR calls (it trusts each tenant's pinned certificate too).</summary>
    public const string HttpClientName = "smart";

    private static readonly TimeSpan CacheFor = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<string, (SmartConfiguration Configuration, DateTimeOffset At)> _configurations = new(StringComparer.Ordinal);

    /// <summary>The tenant's SMART configuration, from the cache unless older than an hour (or <paramref name="refresh"/>).</summary>
    public async Task<SmartConfiguration> ConfigurationAsync(SmartTenant tenant, bool refresh = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        if (!refresh && _configurations.TryGetValue(tenant.Key, out var cached) && time.GetUtcNow() - cached.At < CacheFor)
        {
            return cached.Configuration;
        }

        var http = clients.CreateClient(HttpClientName);
        using var document = await GetJsonAsync(http, new Uri(tenant.Iss.ToString().TrimEnd('/') + "/.well-known/smart-configuration"), cancellationToken);
        var root = document.RootElement;
        var authorize = UriOf(root, "authorization_endpoint");
        var token = UriOf(root, "token_endpoint");
        var capabilities = Strings(root, "capabilities");
        var methods = Strings(root, "code_challenge_methods_supported");
        var issuer = root.TryGetProperty("issuer", out var iss) && iss.GetString() is { Length: > 0 } issuerText
            ? issuerText
            : throw new SmartLaunchException("ehr_configuration", "The EHR's SMART configuration names no issuer: Huddle cannot check its id tokens.");
        Uri jwks;
        if (root.TryGetProperty("jwks_uri", out var jwksText) && Uri.TryCreate(jwksText.GetString(), UriKind.Absolute, out var jwksUri))
        {
            jwks = jwksUri;
        }
        else
        {
            using var openId = await GetJsonAsync(http, new Uri(issuer.TrimEnd('/') + "/.well-known/openid-configuration"), cancellationToken);
            jwks = UriOf(openId.RootElement, "jwks_uri");
        }

        using var keysResponse = await http.GetAsync(jwks, cancellationToken);
        keysResponse.EnsureSuccessStatusCode();
        var keys = new JsonWebKeySet(await keysResponse.Content.ReadAsStringAsync(cancellationToken)).GetSigningKeys();
        var configuration = new SmartConfiguration(authorize, token, issuer, [.. keys], capabilities, methods);
        _configurations[tenant.Key] = (configuration, time.GetUtcNow());
        return configuration;
    }

    /// <summary>Exchanges <paramref name="code"/> at the EHR's token endpoint (the tenant's client authentication, the PKCE verifier).</summary>
    public async Task<SmartTokenResponse> ExchangeAsync(SmartTenant tenant, SmartConfiguration configuration, string code, string codeVerifier, string redirectUri, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(configuration);
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirectUri,
            ["code_verifier"] = codeVerifier,
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, configuration.TokenEndpoint);
        if (tenant.ClientAuthentication == "private_key_jwt")
        {
            // The key's presence is checked at start (SmartSettings).
            form["client_id"] = tenant.ClientId;
            form["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
            form["client_assertion"] = settings.ClientKey!.Assertion(tenant.ClientId, configuration.TokenEndpoint, time.GetUtcNow());
        }
        else if (tenant.ClientAuthentication == "client_secret_post")
        {
            form["client_id"] = tenant.ClientId;
            form["client_secret"] = tenant.ClientSecret;
        }
        else
        {
            // RFC 6749 2.3.1: each part form-encoded before the Basic encoding.
            var basic = $"{Uri.EscapeDataString(tenant.ClientId)}:{Uri.EscapeDataString(tenant.ClientSecret)}";
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(basic)));
        }

        request.Content = new FormUrlEncodedContent(form);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await clients.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            throw new SmartLaunchException("token_exchange", $"The EHR's token endpoint answered {(int)response.StatusCode} without a token response.");
        }

        using (document)
        {
            var root = document.RootElement;
            if (!response.IsSuccessStatusCode || root.TryGetProperty("error", out _))
            {
                var error = root.TryGetProperty("error", out var e) ? e.GetString() : null;
                // The EHR's own words (RFC 6749's error_description) tell an integrator what to fix: kept short.
                var why = Text(root, "error_description") is { Length: > 0 } description ? $": {description[..Math.Min(description.Length, 200)]}" : "";
                throw new SmartLaunchException("token_exchange", $"The EHR refused the code ({error ?? ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture)}{why}).");
            }

            if (Text(root, "token_type") is not { } type || !type.Equals("Bearer", StringComparison.OrdinalIgnoreCase) || Text(root, "access_token") is not { } access)
            {
                throw new SmartLaunchException("token_exchange", "The EHR's token response carries no bearer access token.");
            }

            var idToken = Text(root, "id_token") ?? throw new SmartLaunchException("id_token", "The EHR's token response carries no id token (scope openid): Huddle cannot tell who is signed in.");
            var banner = root.TryGetProperty("need_patient_banner", out var b) && (b.ValueKind == JsonValueKind.True || (b.ValueKind == JsonValueKind.String && b.GetString() == "true"));
            return new SmartTokenResponse(
                access,
                idToken,
                Text(root, "scope") is { } scope ? scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal) : null,
                root.TryGetProperty("expires_in", out var expires) && expires.TryGetInt32(out var seconds) && seconds > 0 ? TimeSpan.FromSeconds(seconds) : null,
                Text(root, "patient"),
                banner,
                Uri.TryCreate(Text(root, "smart_style_url"), UriKind.Absolute, out var style) ? style : null);
        }
    }

    /// <summary>
    /// The id token's claims once its signature (the EHR's keys), issuer, audience (Huddle's client
    /// id), lifetime and nonce check out; a token signed with a key not yet known refreshes the keys once.
    /// </summary>
    public async Task<JsonWebToken> ValidateIdTokenAsync(SmartTenant tenant, SmartConfiguration configuration, string idToken, string nonce, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(configuration);
        var result = await ValidateAsync(configuration);
        if (!result.IsValid && result.Exception is SecurityTokenSignatureKeyNotFoundException)
        {
            result = await ValidateAsync(await ConfigurationAsync(tenant, refresh: true, cancellationToken));
        }

        if (!result.IsValid)
        {
            var why = result.Exception switch
            {
                SecurityTokenExpiredException => "it has expired",
                SecurityTokenInvalidAudienceException => "it is not for Huddle",
                SecurityTokenInvalidIssuerException => "it is not from this EHR",
                SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "its signature is not the EHR's",
                _ => "it is not valid",
            };
            throw new SmartLaunchException("id_token", $"The EHR's id token was refused: {why}.");
        }

        var token = (JsonWebToken)result.SecurityToken;
        if (!token.TryGetPayloadValue<string>("nonce", out var sent) || !System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.UTF8.GetBytes(sent), System.Text.Encoding.UTF8.GetBytes(nonce)))
        {
            throw new SmartLaunchException("id_token", "The EHR's id token was refused: its nonce is not this launch's.");
        }

        return token;

        Task<TokenValidationResult> ValidateAsync(SmartConfiguration with) => new JsonWebTokenHandler().ValidateTokenAsync(idToken, new TokenValidationParameters
        {
            ValidIssuer = with.Issuer,
            ValidAudience = tenant.ClientId,
            IssuerSigningKeys = with.SigningKeys,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            ClockSkew = TimeSpan.FromMinutes(2),
        });
    }

    /// <summary>Reads a FHIR resource of the EHR with its access token; <paramref name="reference"/> must lie under the tenant's FHIR base.</summary>
    public async Task<T> ReadAsync<T>(SmartTenant tenant, string reference, string accessToken, CancellationToken cancellationToken)
        where T : Resource
    {
        ArgumentNullException.ThrowIfNull(tenant);
        var fhirBase = tenant.Iss.ToString().TrimEnd('/') + "/";
        var url = Uri.TryCreate(reference, UriKind.Absolute, out var absolute) ? absolute : new Uri(new Uri(fhirBase), reference);
        // Only the tenant's own FHIR server: a reference elsewhere would send the EHR's token there.
        if (!SmartSettings.IssKey(url).StartsWith(SmartSettings.IssKey(tenant.Iss) + "/", StringComparison.Ordinal))
        {
            throw new SmartLaunchException("fhir", "The EHR named a FHIR resource outside its own FHIR server.");
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/fhir+json"));
        using var response = await clients.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new SmartLaunchException("fhir", $"The EHR's FHIR server answered {(int)response.StatusCode} for a {typeof(T).Name}.");
        }

        try
        {
            return new FhirJsonDeserializer().Deserialize<T>(await response.Content.ReadAsStringAsync(cancellationToken));
        }
        catch (Exception ex) when (ex is DeserializationFailedException or FormatException or JsonException or InvalidCastException)
        {
            throw new SmartLaunchException("fhir", $"The EHR's FHIR server sent something that is not a {typeof(T).Name}.");
        }
    }

    /// <summary>The EHR's style document's colours, or null when it cannot be read (the widget keeps Huddle's).</summary>
    public async Task<Contracts.Smart.WidgetStyle?> StyleAsync(Uri url, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        try
        {
            using var document = await GetJsonAsync(clients.CreateClient(HttpClientName), url, cancellationToken);
            var root = document.RootElement;
            return new Contracts.Smart.WidgetStyle(Colour(root, "color_background"), Colour(root, "color_text"), Colour(root, "color_highlight"),
                Colour(root, "color_error"), Colour(root, "color_success"));
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or SmartLaunchException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>The validator for the named client: the system's trust, or a tenant's pinned certificate (a test EHR, a private CA).</summary>
    public static Func<HttpRequestMessage, X509Certificate2?, X509Chain?, System.Net.Security.SslPolicyErrors, bool> CertificateCheck(SmartSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var pins = settings.Tenants.Where(t => t.CertificateSha256 is not null).Select(t => t.CertificateSha256!).ToHashSet(StringComparer.Ordinal);
        return (_, certificate, _, errors) => errors == System.Net.Security.SslPolicyErrors.None
            || (certificate is not null && pins.Contains(certificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256)));
    }

    /// <summary>A CSS colour as the style document gives it, if it is one plain colour (nothing that could break out of a style).</summary>
    private static string? Colour(JsonElement root, string name) =>
        Text(root, name) is { Length: <= 32 } value && System.Text.RegularExpressions.Regex.IsMatch(value, "^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20}|rgba?\\([0-9., %]+\\))$") ? value : null;

    private static async Task<JsonDocument> GetJsonAsync(HttpClient http, Uri url, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(url, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new SmartLaunchException("ehr_configuration", $"The EHR answered {(int)response.StatusCode} at {url.AbsolutePath}.");
        }

        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static Uri UriOf(JsonElement root, string name) =>
        Uri.TryCreate(Text(root, name), UriKind.Absolute, out var uri)
            ? uri
            : throw new SmartLaunchException("ehr_configuration", $"The EHR's configuration has no {name}.");

    private static HashSet<string> Strings(JsonElement root, string name) =>
        root.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToHashSet(StringComparer.Ordinal)
            : [];
}
