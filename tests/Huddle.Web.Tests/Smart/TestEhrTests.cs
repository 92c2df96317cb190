using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Huddle.Testing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Task = System.Threading.Tasks.Task;

namespace Huddle.Web.Tests.Smart;

/// <summary>
/// The fake EHR the SMART App Launch tests and demos run against (<see cref="TestEhr"/>), over HTTPS
/// with a plain HttpClient that pins its certificate: its discovery documents, an EHR launch's code
/// flow with PKCE to the tokens and the launch context, FHIR reads with and without a token, its
/// refusals, the test hooks that spoil its answers, and the chart page that frames Huddle.
/// </summary>
public sealed class TestEhrTests
{
    private static readonly Uri Callback = new("https://127.0.0.1:5001/smart/callback");

    private const string LaunchScopes = "openid fhirUser launch patient/Patient.rs user/Practitioner.rs";

    [Fact]
    public async Task Its_discovery_describes_a_smart_ehr_and_openiddicts_own_metadata_and_keys_answer()
    {
        await using var ehr = await TestEhr.StartAsync();
        Assert.Equal("localhost", ehr.BaseAddress.Host);
        Assert.Equal("https", ehr.BaseAddress.Scheme);
        Assert.Equal(ehr.BaseAddress, ehr.Issuer);
        Assert.Equal($"{ehr.BaseAddress}fhir", ehr.Iss.AbsoluteUri);
        Assert.Equal(TestCertificates.Sha256(ehr.Certificate), ehr.CertificateSha256);
        Assert.Matches("^[0-9A-F]{64}$", ehr.CertificateSha256);
        var names = ehr.Certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Contains("localhost", names.EnumerateDnsNames());
        Assert.Contains(IPAddress.Loopback, names.EnumerateIPAddresses());
        Assert.Contains(ehr.Certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>(),
            oid => oid.Value == "1.3.6.1.5.5.7.3.1");
        Assert.True(ehr.Certificate.HasPrivateKey);

        using var http = Client(ehr);
        using var smartResponse = await http.GetAsync("fhir/.well-known/smart-configuration");
        Assert.Equal(HttpStatusCode.OK, smartResponse.StatusCode);
        var smart = await smartResponse.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(ehr.Issuer.AbsoluteUri, smart.GetProperty("issuer").GetString());
        Assert.Equal($"{ehr.BaseAddress}connect/authorize", smart.GetProperty("authorization_endpoint").GetString());
        Assert.Equal($"{ehr.BaseAddress}connect/token", smart.GetProperty("token_endpoint").GetString());
        Assert.Equal(["client_secret_basic", "client_secret_post", "private_key_jwt"], Strings(smart, "token_endpoint_auth_methods_supported"));
        Assert.Equal(["authorization_code"], Strings(smart, "grant_types_supported"));
        Assert.Equal(["code"], Strings(smart, "response_types_supported"));
        Assert.Equal(["S256"], Strings(smart, "code_challenge_methods_supported"));
        Assert.Subset(Strings(smart, "scopes_supported").ToHashSet(), new HashSet<string> { "openid", "fhirUser", "launch", "patient/Patient.rs", "user/Practitioner.rs" });
        Assert.Subset(Strings(smart, "capabilities").ToHashSet(), new HashSet<string> { "launch-ehr", "client-confidential-symmetric", "sso-openid-connect", "context-banner",
            "context-style", "context-ehr-patient", "context-ehr-encounter", "permission-v2", "permission-patient", "permission-user" });

        var openid = await http.GetFromJsonAsync<JsonElement>(".well-known/openid-configuration");
        Assert.Equal(ehr.Issuer.AbsoluteUri, openid.GetProperty("issuer").GetString());
        Assert.Equal(smart.GetProperty("jwks_uri").GetString(), openid.GetProperty("jwks_uri").GetString());
        Assert.Equal(smart.GetProperty("token_endpoint").GetString(), openid.GetProperty("token_endpoint").GetString());
        Assert.DoesNotContain("plain", Strings(openid, "code_challenge_methods_supported"));
        var keys = new JsonWebKeySet(await http.GetStringAsync(smart.GetProperty("jwks_uri").GetString()));
        Assert.NotEmpty(keys.GetSigningKeys());

        using var styleResponse = await http.GetAsync("smart-style.json");
        Assert.Equal("*", styleResponse.Headers.GetValues("Access-Control-Allow-Origin").Single());
        var style = await styleResponse.Content.ReadFromJsonAsync<JsonElement>();
        foreach (var field in (string[])["color_background", "color_error", "color_highlight", "color_modal_backdrop", "color_success", "color_text",
            "dim_border_radius", "dim_font_size", "dim_spacing_size", "font_family_body", "font_family_heading"])
        {
            Assert.False(string.IsNullOrEmpty(style.GetProperty(field).GetString()), field);
        }
    }

    [Fact]
    public async Task An_ehr_launch_with_pkce_answers_the_tokens_with_the_launch_context_and_an_id_token_naming_the_practitioner()
    {
        await using var ehr = await TestEhr.StartAsync();
        ehr.RegisterRedirectUri(Callback);
        ehr.AddPractitioner("prac-1", "Pat Carter", "u-pcp");
        ehr.AddPatient("pat-1", "Alex Rivera", new DateOnly(1984, 3, 9), "p-alex");
        var launch = ehr.CreateLaunch("pat-1", needPatientBanner: false, encounter: "enc-7");
        using var http = Client(ehr);
        await ehr.SignInAsync(http, "prac-1");

        var flow = new Flow(LaunchScopes, launch);
        var token = await CodeFlowAsync(ehr, http, flow);

        Assert.Equal("Bearer", token.GetProperty("token_type").GetString());
        Assert.InRange(token.GetProperty("expires_in").GetInt64(), 3500, 3600);
        Assert.Equal(LaunchScopes.Split(' ').Order(StringComparer.Ordinal), token.GetProperty("scope").GetString()!.Split(' ').Order(StringComparer.Ordinal));
        Assert.Equal("pat-1", token.GetProperty("patient").GetString());
        Assert.Equal("enc-7", token.GetProperty("encounter").GetString());
        Assert.Equal(JsonValueKind.False, token.GetProperty("need_patient_banner").ValueKind);
        Assert.Equal($"{ehr.BaseAddress}smart-style.json", token.GetProperty("smart_style_url").GetString());
        Assert.False(token.TryGetProperty("refresh_token", out _));
        Assert.Equal([TestEhr.ClientId], ehr.TokenRequests);

        // The id token: signed with a key of the EHR's JWKS, for the client, with the request's nonce.
        var idToken = await ValidIdTokenAsync(ehr, http, token.GetProperty("id_token").GetString()!);
        Assert.Equal(flow.Nonce, idToken.GetClaim("nonce").Value);
        Assert.Equal("prac-1", idToken.Subject);
        Assert.Equal($"{ehr.Iss}/Practitioner/prac-1", idToken.GetClaim("fhirUser").Value);
        Assert.Equal("Pat Carter", idToken.GetClaim("name").Value);
        Assert.Equal([TestEhr.ClientId], idToken.Audiences);
        Assert.Equal(ehr.Issuer.AbsoluteUri, idToken.Issuer);
        Assert.False(idToken.TryGetClaim("patient", out _));

        // The access token: a JWT for the FHIR server (aud = iss).
        var accessToken = new JsonWebToken(token.GetProperty("access_token").GetString());
        Assert.Equal([ehr.Iss.AbsoluteUri], accessToken.Audiences);
        Assert.Equal("prac-1", accessToken.Subject);

        // A needed banner comes back as JSON true; no encounter, no field.
        var second = await CodeFlowAsync(ehr, http, new Flow(LaunchScopes, ehr.CreateLaunch("pat-1")));
        Assert.Equal(JsonValueKind.True, second.GetProperty("need_patient_banner").ValueKind);
        Assert.False(second.TryGetProperty("encounter", out _));
        Assert.Equal(2, ehr.TokenRequests.Count);
    }

    [Fact]
    public async Task Fhir_reads_take_the_ehrs_own_valid_token_and_stay_within_the_patient_context()
    {
        await using var ehr = await TestEhr.StartAsync();
        ehr.RegisterRedirectUri(Callback);
        ehr.AddPractitioner("prac-1", "Pat Carter", "u-pcp");
        ehr.AddPractitioner("prac-2", "Bea Holt", "u-bhc");
        ehr.AddPatient("pat-1", "Alex Rivera", new DateOnly(1984, 3, 9), "p-alex");
        ehr.AddPatient("pat-2", "Sam Okafor", new DateOnly(1990, 11, 2), null);
        using var http = Client(ehr);
        await ehr.SignInAsync(http, "prac-1");
        var token = await CodeFlowAsync(ehr, http, new Flow("openid fhirUser launch patient/Patient.rs", ehr.CreateLaunch("pat-1")));
        var accessToken = token.GetProperty("access_token").GetString()!;

        using (var anonymous = await http.GetAsync("fhir/Patient/pat-1"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.Single().Scheme);
            Assert.IsType<OperationOutcome>(await ResourceAsync(anonymous));
        }

        using (var patient = await ReadAsync(http, "fhir/Patient/pat-1", accessToken))
        {
            Assert.Equal(HttpStatusCode.OK, patient.StatusCode);
            Assert.Equal("application/fhir+json", patient.Content.Headers.ContentType!.MediaType);
            var resource = Assert.IsType<Patient>(await ResourceAsync(patient));
            Assert.Equal("pat-1", resource.Id);
            Assert.Equal("Alex Rivera", resource.Name.Single().Text);
            Assert.Equal("1984-03-09", resource.BirthDate);
            Assert.Contains(resource.Identifier, i => i.System == TestEhr.PatientIdentifierSystem && i.Value == "p-alex");
        }

        // Another patient is outside a patient/ scope's context.
        using (var other = await ReadAsync(http, "fhir/Patient/pat-2", accessToken))
        {
            Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        }

        // fhirUser reads the signed-in practitioner, and no other.
        using (var self = await ReadAsync(http, "fhir/Practitioner/prac-1", accessToken))
        {
            var practitioner = Assert.IsType<Practitioner>(await ResourceAsync(self));
            Assert.Contains(practitioner.Identifier, i => i.System == TestEhr.UserIdentifierSystem && i.Value == "u-pcp");
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await ReadAsync(http, "fhir/Practitioner/prac-2", accessToken)).StatusCode);

        // A user/ scope reaches any patient; unknown ids are 404 with an OperationOutcome.
        var wide = await CodeFlowAsync(ehr, http, new Flow("openid fhirUser launch user/*.rs", ehr.CreateLaunch("pat-1")));
        var wideToken = wide.GetProperty("access_token").GetString()!;
        var unmapped = Assert.IsType<Patient>(await ResourceAsync(await ReadAsync(http, "fhir/Patient/pat-2", wideToken)));
        Assert.DoesNotContain(unmapped.Identifier, i => i.System == TestEhr.PatientIdentifierSystem);
        Assert.Equal("Bea Holt", Assert.IsType<Practitioner>(await ResourceAsync(await ReadAsync(http, "fhir/Practitioner/prac-2", wideToken))).Name.Single().Text);
        using (var unknown = await ReadAsync(http, "fhir/Patient/nobody", wideToken))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Equal(OperationOutcome.IssueType.NotFound, Assert.IsType<OperationOutcome>(await ResourceAsync(unknown)).Issue.Single().Code);
        }

        // Garbage, a token whose payload was edited, and another EHR's token are refused.
        Assert.Equal(HttpStatusCode.Unauthorized, (await ReadAsync(http, "fhir/Patient/pat-1", "not-a-token")).StatusCode);
        var parts = accessToken.Split('.');
        var payload = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Base64UrlEncoder.Decode(parts[1]))!;
        payload["patient"] = JsonSerializer.SerializeToElement("pat-2");
        var forged = $"{parts[0]}.{Base64UrlEncoder.Encode(JsonSerializer.Serialize(payload))}.{parts[2]}";
        Assert.Equal(HttpStatusCode.Unauthorized, (await ReadAsync(http, "fhir/Patient/pat-2", forged)).StatusCode);
        await using (var elsewhere = await TestEhr.StartAsync())
        {
            elsewhere.RegisterRedirectUri(Callback);
            elsewhere.AddPractitioner("prac-1", "Pat Carter", "u-pcp");
            elsewhere.AddPatient("pat-1", "Alex Rivera", new DateOnly(1984, 3, 9), "p-alex");
            using var there = Client(elsewhere);
            await elsewhere.SignInAsync(there, "prac-1");
            var foreign = await CodeFlowAsync(elsewhere, there, new Flow(LaunchScopes, elsewhere.CreateLaunch("pat-1")));
            Assert.Equal(HttpStatusCode.Unauthorized, (await ReadAsync(http, "fhir/Patient/pat-1", foreign.GetProperty("access_token").GetString()!)).StatusCode);
        }
    }

    [Fact]
    public async Task An_expired_access_token_is_refused()
    {
        await using var ehr = await TestEhr.StartAsync(new TestEhrOptions { AccessTokenLifetime = TimeSpan.FromSeconds(1) });
        ehr.RegisterRedirectUri(Callback);
        ehr.AddPractitioner("prac-1", "Pat Carter", "u-pcp");
        ehr.AddPatient("pat-1", "Alex Rivera", new DateOnly(1984, 3, 9), "p-alex");
        using var http = Client(ehr);
        await ehr.SignInAsync(http, "prac-1");
        var token = await CodeFlowAsync(ehr, http, new Flow(LaunchScopes, ehr.CreateLaunch("pat-1")));
        var accessToken = token.GetProperty("access_token").GetString()!;
        var expires = new JsonWebToken(accessToken).ValidTo;
        await Task.Delay(expires - DateTime.UtcNow + TimeSpan.FromSeconds(1.5));
        using var response = await ReadAsync(http, "fhir/Patient/pat-1", accessToken);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.Single().Parameter, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authorize_and_token_refuse_what_a_smart_ehr_must()
    {
        await using var ehr = await TestEhr.StartAsync();
        ehr.RegisterRedirectUri(Callback);
        ehr.AddPractitioner("prac-1", "Pat Carter", "u-pcp");
        ehr.AddPatient("pat-1", "Alex Rivera", new DateOnly(1984, 3, 9), "p-alex");
        using var http = Client(ehr);

        // Not signed in at the EHR: its sign-in page, then back to the same request.
        var flow = new Flow(LaunchScopes, ehr.CreateLaunch("pat-1"));
        using (var anonymous = await http.GetAsync(AuthorizeUri(ehr, flow)))
        {
            Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
            var login = anonymous.Headers.Location!;
            Assert.Equal("/login", new Uri(ehr.BaseAddress, login).AbsolutePath);
            var returnUrl = QueryHelpers.ParseQuery(new Uri(ehr.BaseAddress, login).Query)["returnUrl"].ToString();
            Assert.StartsWith("/connect/authorize?", returnUrl, StringComparison.Ordinal);
        }

        await ehr.SignInAsync(http, "prac-1");

        // Refused at the EHR (an error page, not sent back to the client, as OpenIddict answers a request
        // that fails validation): aud missing or not the FHIR base, an unregistered redirect_uri, another
        // client, no PKCE or plain PKCE, an unknown scope.
        Assert.Equal("invalid_request", await RefusedAtTheEhrAsync(http, AuthorizeUri(ehr, flow with { Aud = null })));
        Assert.Equal("invalid_request", await RefusedAtTheEhrAsync(http, AuthorizeUri(ehr, flow with { Aud = $"{ehr.Iss}/" })));
        Assert.Equal("invalid_request", await RefusedAtTheEhrAsync(http, AuthorizeUri(ehr, flow with { Aud = "https://evil.example/fhir" })));
        Assert.Equal("invalid_request", await RefusedAtTheEhrAsync(http, AuthorizeUri(ehr, flow with { RedirectUri = new Uri("https://127.0.0.1:5001/elsewhere") })));
        Assert.Equal("invalid_client", await RefusedAtTheEhrAsync(http, AuthorizeUri(ehr, flow with { ClientId = "someone-else" })));

        Assert.Equal("invalid_request", await RefusedAtTheEhrAsync(http, AuthorizeUri(ehr, flow with { ChallengeMethod = null })));
        Assert.Equal("invalid_request", await RefusedAtTheEhrAsync(http, AuthorizeUri(ehr, flow with { ChallengeMethod = "plain" })));
        Assert.Equal("invalid_scope", await RefusedAtTheEhrAsync(http, AuthorizeUri(ehr, flow with { Scope = "openid launch patient/Patient.rs sneaky" })));

        // Refused back to the client's redirect_uri, with its state: an unknown launch.
        var unknownLaunch = await http.GetAsync(AuthorizeUri(ehr, flow with { Launch = "no-such-launch" }));
        var answer = QueryHelpers.ParseQuery(unknownLaunch.Headers.Location!.Query);
        Assert.StartsWith(Callback.AbsoluteUri, unknownLaunch.Headers.Location.AbsoluteUri, StringComparison.Ordinal);
        Assert.Equal("invalid_request", answer["error"].ToString());
        Assert.Equal("Unknown or expired launch", answer["error_description"].ToString());
        Assert.Equal(flow.State, answer["state"].ToString());

        // The token endpoint: the right code with a wrong secret, or a wrong verifier, is refused; the right one works once.
        var code = await CodeAsync(http, AuthorizeUri(ehr, flow));
        using (var wrongSecret = await http.PostAsync("connect/token", TokenForm(flow, code, "client_secret", "wrong")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrongSecret.StatusCode);
            Assert.Equal("invalid_client", (await wrongSecret.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        }

        using (var wrongVerifier = await http.PostAsync("connect/token", TokenForm(flow with { Verifier = Flow.NewVerifier() }, code, "client_secret", ehr.ClientSecret)))
        {
            Assert.Equal("invalid_grant", (await wrongVerifier.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        }

        var fresh = await CodeAsync(http, AuthorizeUri(ehr, flow));
        using (var post = await http.PostAsync("connect/token", TokenForm(flow, fresh, "client_secret", ehr.ClientSecret)))
        {
            // client_secret_post works as well as Basic.
            Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        }

        Assert.Equal([TestEhr.ClientId], ehr.TokenRequests);
    }

    [Fact]
    public async Task The_sign_in_and_authorize_refuse_framing_only_when_the_ehr_says_so()
    {
        await using (var framing = await TestEhr.StartAsync())
        {
            using var http = Client(framing);
            using var login = await http.GetAsync("login");
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
            Assert.False(login.Headers.Contains("X-Frame-Options"));
            Assert.False(login.Headers.Contains("Content-Security-Policy"));
        }

        await using var ehr = await TestEhr.StartAsync(new TestEhrOptions { FrameableLogin = false });
        ehr.RegisterRedirectUri(Callback);
        ehr.AddPatient("pat-1", "Alex Rivera", new DateOnly(1984, 3, 9), "p-alex");
        using var client = Client(ehr);
        foreach (var uri in (Uri[])[new Uri("login", UriKind.Relative), AuthorizeUri(ehr, new Flow(LaunchScopes, ehr.CreateLaunch("pat-1")))])
        {
            using var response = await client.GetAsync(uri);
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
            Assert.Equal("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        }

        // Other pages may still be framed (the smart-style document has no such header).
        using var style = await client.GetAsync("smart-style.json");
        Assert.False(style.Headers.Contains("X-Frame-Options"));
    }

    [Fact]
    public async Task The_hooks_spoil_the_token_response_and_the_id_token_still_signed_with_the_ehrs_key()
    {
        await using var ehr = await TestEhr.StartAsync();
        ehr.RegisterRedirectUri(Callback);
        ehr.AddPractitioner("prac-1", "Pat Carter", "u-pcp");
        ehr.AddPatient("pat-1", "Alex Rivera", new DateOnly(1984, 3, 9), "p-alex");
        using var http = Client(ehr);
        await ehr.SignInAsync(http, "prac-1");
        ehr.TamperIdToken = claims =>
        {
            claims["nonce"] = "not-the-nonce";
            claims["aud"] = "someone-else";
        };
        ehr.TamperTokenResponse = response =>
        {
            Assert.IsType<bool>(response["need_patient_banner"]);
            Assert.IsType<long>(response["expires_in"]);
            response.Remove("patient");
            response["scope"] = "openid patient/*.rs";
            response["need_patient_banner"] = "yes";
        };

        var token = await CodeFlowAsync(ehr, http, new Flow(LaunchScopes, ehr.CreateLaunch("pat-1")));
        Assert.False(token.TryGetProperty("patient", out _));
        Assert.Equal("openid patient/*.rs", token.GetProperty("scope").GetString());
        Assert.Equal("yes", token.GetProperty("need_patient_banner").GetString());
        Assert.Equal("Bearer", token.GetProperty("token_type").GetString());

        var keys = new JsonWebKeySet(await http.GetStringAsync(".well-known/jwks"));
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token.GetProperty("id_token").GetString(), new TokenValidationParameters
        {
            ValidIssuer = ehr.Issuer.AbsoluteUri,
            ValidAudience = "someone-else",
            IssuerSigningKeys = keys.GetSigningKeys(),
        });
        Assert.True(result.IsValid, result.Exception?.Message);
        var idToken = (JsonWebToken)result.SecurityToken;
        Assert.Equal("not-the-nonce", idToken.GetClaim("nonce").Value);
        Assert.Equal("prac-1", idToken.Subject);
        Assert.Equal($"{ehr.Iss}/Practitioner/prac-1", idToken.GetClaim("fhirUser").Value);
    }

    [Fact]
    public async Task The_chart_page_signs_the_clinician_in_and_frames_huddles_launch_url_with_a_new_launch()
    {
        await using var ehr = await TestEhr.StartAsync();
        ehr.AddPractitioner("prac-1", "Pat Carter", "u-pcp");
        ehr.AddPatient("pat-1", "Alex Rivera", new DateOnly(1984, 3, 9), "p-alex");
        ehr.AddPatient("pat-2", "Sam Okafor", new DateOnly(1990, 11, 2), null);
        using var http = Client(ehr);

        var unconnected = await http.GetStringAsync("ehr?user=prac-1&patient=pat-1");
        Assert.Contains("id=\"no-huddle\"", unconnected, StringComparison.Ordinal);
        Assert.DoesNotContain("<iframe", unconnected, StringComparison.Ordinal);

        ehr.HuddleLaunchUrl = new Uri("https://127.0.0.1:5001/smart/launch");
        using var response = await http.GetAsync("ehr?user=prac-1&patient=pat-1");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("ehr.session=", StringComparison.Ordinal)
            && c.Contains("samesite=none", StringComparison.OrdinalIgnoreCase) && c.Contains("secure", StringComparison.OrdinalIgnoreCase));
        Assert.False(response.Headers.Contains("Content-Security-Policy"));
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("<title>Test EHR — Alex Rivera</title>", page, StringComparison.Ordinal);
        Assert.Contains("09 Mar 1984", page, StringComparison.Ordinal);
        Assert.Contains("/ehr?user=prac-1&amp;patient=pat-2", page, StringComparison.Ordinal);
        var src = System.Text.RegularExpressions.Regex.Match(page, "<iframe id=\"huddle-widget\" title=\"Huddle\" src=\"([^\"]+)\"").Groups[1].Value;
        var launchUrl = new Uri(System.Net.WebUtility.HtmlDecode(src));
        Assert.Equal("https://127.0.0.1:5001/smart/launch", launchUrl.GetLeftPart(UriPartial.Path));
        var query = QueryHelpers.ParseQuery(launchUrl.Query);
        Assert.Equal(ehr.Iss.AbsoluteUri, query["iss"].ToString());
        Assert.NotEqual(query["launch"].ToString(), QueryHelpers.ParseQuery(ehr.LaunchUrl("pat-1").Query)["launch"].ToString());

        // The page's sign-in holds at the authorize endpoint, and its launch names the patient.
        ehr.RegisterRedirectUri(Callback);
        var token = await CodeFlowAsync(ehr, http, new Flow(LaunchScopes, query["launch"].ToString()));
        Assert.Equal("pat-1", token.GetProperty("patient").GetString());
        Assert.Equal("prac-1", new JsonWebToken(token.GetProperty("id_token").GetString()).Subject);
    }

    /// <summary>One authorization request's parameters (PKCE S256 unless changed).</summary>
    private sealed record Flow(string Scope, string? Launch)
    {
        public string State { get; init; } = Guid.NewGuid().ToString("N");
        public string Nonce { get; init; } = Guid.NewGuid().ToString("N");
        public string Verifier { get; init; } = NewVerifier();
        public string? ChallengeMethod { get; init; } = "S256";
        public string? Aud { get; init; } = "";
        public string ClientId { get; init; } = TestEhr.ClientId;
        public Uri RedirectUri { get; init; } = Callback;

        public static string NewVerifier() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));

        public string S256 => Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(Verifier)));
    }

    private static Uri AuthorizeUri(TestEhr ehr, Flow flow)
    {
        var query = new Dictionary<string, string?>
        {
            ["response_type"] = "code",
            ["client_id"] = flow.ClientId,
            ["redirect_uri"] = flow.RedirectUri.AbsoluteUri,
            ["scope"] = flow.Scope,
            ["state"] = flow.State,
            ["nonce"] = flow.Nonce,
        };
        // Aud "" stands for the EHR's own iss; null leaves it out.
        if (flow.Aud is not null)
        {
            query["aud"] = flow.Aud.Length == 0 ? ehr.Iss.AbsoluteUri : flow.Aud;
        }

        if (flow.Launch is not null)
        {
            query["launch"] = flow.Launch;
        }

        // No method: no PKCE. S256 hashes the verifier; plain sends it as is.
        if (flow.ChallengeMethod is { } method)
        {
            query["code_challenge"] = method == "S256" ? flow.S256 : flow.Verifier;
            query["code_challenge_method"] = method;
        }

        return new Uri(QueryHelpers.AddQueryString(new Uri(ehr.BaseAddress, "connect/authorize").AbsoluteUri, query));
    }

    /// <summary>The code flow as Huddle runs it: authorize (signed in already), the code at the callback, the exchange with Basic.</summary>
    private static async Task<JsonElement> CodeFlowAsync(TestEhr ehr, HttpClient http, Flow flow)
    {
        var code = await CodeAsync(http, AuthorizeUri(ehr, flow));
        using var request = new HttpRequestMessage(HttpMethod.Post, "connect/token") { Content = TokenForm(flow, code) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(TestEhr.ClientId)}:{Uri.EscapeDataString(ehr.ClientSecret)}")));
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        return body;
    }

    private static async Task<string> CodeAsync(HttpClient http, Uri authorize)
    {
        using var response = await http.GetAsync(authorize);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.StartsWith(Callback.AbsoluteUri, location.AbsoluteUri, StringComparison.Ordinal);
        var answer = QueryHelpers.ParseQuery(location.Query);
        Assert.False(answer.ContainsKey("error"), location.Query);
        Assert.Equal(QueryHelpers.ParseQuery(authorize.Query)["state"], answer["state"]);
        return answer["code"].ToString();
    }

    /// <summary>An authorization request the EHR answers itself (an error page, no redirect): the error it names.</summary>
    private static async Task<string> RefusedAtTheEhrAsync(HttpClient http, Uri authorize)
    {
        using var response = await http.GetAsync(authorize);
        Assert.Null(response.Headers.Location);
        Assert.InRange((int)response.StatusCode, 400, 401);
        var body = await response.Content.ReadAsStringAsync();
        return System.Text.RegularExpressions.Regex.Match(body, "error: ?(\\w+)").Groups[1].Value is { Length: > 0 } error ? error : body;
    }

    private static FormUrlEncodedContent TokenForm(Flow flow, string code, params string[] extra)
    {
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = flow.RedirectUri.AbsoluteUri,
            ["code_verifier"] = flow.Verifier,
        };
        if (extra.Length > 0)
        {
            form["client_id"] = TestEhr.ClientId;
            for (var i = 0; i + 1 < extra.Length; i += 2)
            {
                form[extra[i]] = extra[i + 1];
            }
        }

        return new FormUrlEncodedContent(form);
    }

    private static async Task<JsonWebToken> ValidIdTokenAsync(TestEhr ehr, HttpClient http, string idToken)
    {
        var keys = new JsonWebKeySet(await http.GetStringAsync(".well-known/jwks"));
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(idToken, new TokenValidationParameters
        {
            ValidIssuer = ehr.Issuer.AbsoluteUri,
            ValidAudience = TestEhr.ClientId,
            IssuerSigningKeys = keys.GetSigningKeys(),
        });
        Assert.True(result.IsValid, result.Exception?.Message);
        return (JsonWebToken)result.SecurityToken;
    }

    private static async Task<HttpResponseMessage> ReadAsync(HttpClient http, string path, string accessToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return await http.SendAsync(request);
    }

    private static async Task<Resource> ResourceAsync(HttpResponseMessage response) =>
        new FhirJsonDeserializer().Deserialize<Resource>(await response.Content.ReadAsStringAsync());

    private static string[] Strings(JsonElement json, string property) =>
        [.. json.GetProperty(property).EnumerateArray().Select(e => e.GetString()!)];

    /// <summary>A browser-like client of the EHR: cookies kept, redirects not followed, the EHR's certificate pinned.</summary>
    private static HttpClient Client(TestEhr ehr) => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = true,
        CookieContainer = new CookieContainer(),
        SslOptions =
        {
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                certificate is not null && certificate.GetCertHashString(HashAlgorithmName.SHA256) == ehr.CertificateSha256,
        },
    })
    { BaseAddress = ehr.BaseAddress };
}
