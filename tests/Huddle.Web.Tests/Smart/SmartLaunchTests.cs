using System.Net;
using System.Text.RegularExpressions;
using Huddle.Contracts.Audit;
using Huddle.Contracts.Smart;
using Huddle.Testing;
using Huddle.Web.Smart;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Huddle.Web.Tests.Smart;

/// <summary>
/// SMART App Launch at the HTTP level (docs/integration.md): the whole EHR launch driven as a browser
/// does (redirects and cookies, both sites over https), against the fake EHR, and every refusal:
/// tampered or replayed state, a missing binding, a code with another launch's PKCE verifier, an EHR not
/// on the allow-list, no patient context, an expired or foreign id token, scopes not granted, users and
/// patients Huddle does not know. Each refusal opens no session.
/// </summary>
public sealed partial class SmartLaunchTests(HuddleSmartAppFixture app) : IClassFixture<HuddleSmartAppFixture>
{
    private static int _people;

    /// <summary>A team with its PCP as an EHR practitioner and its first two patients in the EHR's records.</summary>
    private async Task<(TestTeam Team, string Practitioner, string[] FhirPatients)> ChartAsync(TestEhr? at = null)
    {
        var ehr = at ?? app.Ehr;
        var team = await app.CreateTeamAsync();
        var n = Interlocked.Increment(ref _people);
        var practitioner = $"prac-{n}";
        ehr.AddPractitioner(practitioner, "Dr. Pat Carter", team.Pcp);
        string[] patients = [$"fp-{n}-a", $"fp-{n}-b"];
        ehr.AddPatient(patients[0], "Alma Reyes", new DateOnly(1961, 3, 14), team.Patients[0]);
        ehr.AddPatient(patients[1], "Boris Ng", new DateOnly(1984, 11, 2), team.Patients[1]);
        return (team, practitioner, patients);
    }

    /// <summary>A browser: its own cookies (Huddle's partitioned launch cookie, the EHR's session); the test follows redirects.</summary>
    private HttpClient NewBrowser() => new(app.Browser()) { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>The launch up to the EHR's answer: the callback address the EHR sends the browser to.</summary>
    private async Task<Uri> AuthorizeAsync(HttpClient browser, string practitioner, string fhirPatient, TestEhr? at = null)
    {
        var ehr = at ?? app.Ehr;
        await ehr.SignInAsync(browser, practitioner);
        using var launch = await browser.GetAsync(ehr.LaunchUrl(fhirPatient));
        Assert.Equal(HttpStatusCode.Redirect, launch.StatusCode);
        var authorize = launch.Headers.Location!;
        Assert.StartsWith(ehr.BaseAddress.ToString(), authorize.ToString(), StringComparison.Ordinal);
        using var answer = await browser.GetAsync(authorize);
        Assert.True(answer.StatusCode == HttpStatusCode.Redirect, $"the EHR answered {answer.StatusCode}: {await answer.Content.ReadAsStringAsync()}");
        var callback = answer.Headers.Location!;
        Assert.StartsWith(new Uri(app.BaseAddress, "smart/callback").ToString(), callback.ToString(), StringComparison.Ordinal);
        return callback;
    }

    /// <summary>The whole launch: the widget's address (its handle in the fragment).</summary>
    private async Task<Uri> LaunchAsync(HttpClient browser, string practitioner, string fhirPatient)
    {
        using var callback = await browser.GetAsync(await AuthorizeAsync(browser, practitioner, fhirPatient));
        Assert.True(callback.StatusCode == HttpStatusCode.SeeOther, $"the callback answered {callback.StatusCode}: {await callback.Content.ReadAsStringAsync()}");
        return new Uri(app.BaseAddress, callback.Headers.Location!);
    }

    private Task<WidgetSession?> SessionAsync(Uri widget) =>
        app.App.Services.GetRequiredService<IGrainFactory>().GetGrain<IWidgetSessionGrain>(SmartEndpoints.Hash(widget.Fragment.TrimStart('#'))).GetAsync();

    private static async Task<string> RefusalAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        return CodeOf().Match(body) is { Success: true } match ? match.Groups[1].Value : $"(no code: {response.StatusCode} {body[..Math.Min(body.Length, 300)]})";
    }

    [GeneratedRegex("data-code=\"([a-z_]+)\"")]
    private static partial Regex CodeOf();

    [Fact]
    public async Task With_private_key_jwt_huddle_signs_in_at_the_ehr_with_an_assertion_of_its_published_key_and_a_foreign_key_is_refused()
    {
        // Huddle's published key set: one public key (no private part), its thumbprint as kid, RS384.
        using (var jwks = System.Text.Json.JsonDocument.Parse(await app.HuddleJwksAsync()))
        {
            var key = Assert.Single(jwks.RootElement.GetProperty("keys").EnumerateArray());
            Assert.Equal(("RSA", "RS384", "sig"), (key.GetProperty("kty").GetString(), key.GetProperty("alg").GetString(), key.GetProperty("use").GetString()));
            Assert.False(key.TryGetProperty("d", out _));
            Assert.Equal(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(new Microsoft.IdentityModel.Tokens.JsonWebKey(key.GetRawText()).ComputeJwkThumbprint()), key.GetProperty("kid").GetString());
        }

        var ehr = app.UnframeableEhr;
        var (team, practitioner, patients) = await ChartAsync(ehr);
        using (var browser = NewBrowser())
        {
            using var callback = await browser.GetAsync(await AuthorizeAsync(browser, practitioner, patients[0], ehr));
            Assert.True(callback.StatusCode == HttpStatusCode.SeeOther, $"the callback answered {callback.StatusCode}: {await RefusalAsync(callback)}");
            Assert.Equal("private_key_jwt", ehr.ClientAuthentications.Last());
            var session = await SessionAsync(new Uri(app.BaseAddress, callback.Headers.Location!));
            Assert.Equal((team.Pcp, team.Patients[0]), (session!.UserId, session.PatientId));
        }

        // The EHR knows another key for Huddle (say, a stolen assertion's signer): the code is not exchanged.
        using var other = System.Security.Cryptography.RSA.Create(2048);
        var foreign = Huddle.Web.Smart.SmartClientKey.FromPem(other.ExportPkcs8PrivateKeyPem()).Jwks;
        ehr.ClientJwks = () => Task.FromResult(foreign);
        try
        {
            using var browser = NewBrowser();
            using var refused = await browser.GetAsync(await AuthorizeAsync(browser, practitioner, patients[1], ehr));
            Assert.Equal("token_exchange", await RefusalAsync(refused));
        }
        finally
        {
            ehr.ClientJwks = app.HuddleJwksAsync;
        }
    }

    [Fact]
    public async Task An_ehr_launch_opens_a_widget_session_for_the_mapped_clinician_and_patient_with_the_handle_only_in_the_fragment()
    {
        var (team, practitioner, patients) = await ChartAsync();
        using var browser = NewBrowser();
        await app.Ehr.SignInAsync(browser, practitioner);
        using var launch = await browser.GetAsync(app.Ehr.LaunchUrl(patients[0]));
        Assert.Equal(HttpStatusCode.Redirect, launch.StatusCode);
        var authorize = launch.Headers.Location!;
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(authorize.Query);
        // SMART 2.2's authorize request: aud is the iss, PKCE S256, a state of 256 bits, the launch passed on.
        Assert.Equal(app.Ehr.Iss.ToString().TrimEnd('/'), query["aud"].ToString());
        Assert.Equal("S256", query["code_challenge_method"].ToString());
        Assert.Equal(43, query["state"].ToString().Length);
        Assert.Equal("code", query["response_type"].ToString());
        foreach (var scope in new[] { "launch", "openid", "fhirUser", "patient/Patient.rs" })
        {
            Assert.Contains(scope, query["scope"].ToString().Split(' '));
        }

        // The browser binding: a partitioned, HttpOnly, Secure, SameSite=None cookie for this launch only.
        var cookie = launch.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(SmartEndpoints.BindingCookie, StringComparison.Ordinal));
        foreach (var attribute in new[] { "secure", "samesite=none", "httponly", "partitioned", "path=/" })
        {
            Assert.Contains(attribute, cookie.ToLowerInvariant(), StringComparison.Ordinal);
        }

        using var answer = await browser.GetAsync(authorize);
        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        var exchanges = app.Ehr.TokenRequests.Count;
        using var callback = await browser.GetAsync(answer.Headers.Location!);
        Assert.Equal(HttpStatusCode.SeeOther, callback.StatusCode);
        // One code exchange, by Huddle's server.
        Assert.Equal(exchanges + 1, app.Ehr.TokenRequests.Count);
        var widget = new Uri(app.BaseAddress, callback.Headers.Location!);
        Assert.Equal($"/w/{HuddleSmartAppFixture.TenantId}", widget.AbsolutePath);
        Assert.Matches("^#hw_[A-Za-z0-9_-]{43}$", widget.Fragment);

        var session = await SessionAsync(widget);
        Assert.NotNull(session);
        Assert.Equal(team.Pcp, session.UserId);
        Assert.Equal(team.Patients[0], session.PatientId);
        Assert.Equal([team.TeamId], session.TeamIds);
        Assert.True(session.NeedPatientBanner);
        // The EHR's colours came with the launch (smart_style_url, fetched on the server).
        Assert.NotNull(session.Style);

        // The widget's page: framed by the tenant's origin only, never cached, no referrer, no X-Frame-Options.
        using var page = await browser.GetAsync(widget);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var policy = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains($"frame-ancestors {app.Ehr.BaseAddress.GetLeftPart(UriPartial.Authority)}", policy, StringComparison.Ordinal);
        Assert.False(page.Headers.Contains("X-Frame-Options"));
        Assert.Equal("no-referrer", page.Headers.GetValues("Referrer-Policy").Single());
        Assert.Contains("no-store", page.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
        // The page's shell holds nothing of the patient: the circuit brings it after signing in with the handle.
        var html = await page.Content.ReadAsStringAsync();
        Assert.DoesNotContain("Alma", html, StringComparison.Ordinal);

        // Every other page still refuses every frame.
        using var home = await browser.GetAsync(new Uri(app.BaseAddress, "signin"));
        Assert.Contains("frame-ancestors 'none'", home.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("DENY", home.Headers.GetValues("X-Frame-Options").Single());
    }

    [Fact]
    public async Task A_replayed_or_tampered_state_is_refused_and_opens_nothing()
    {
        var (_, practitioner, patients) = await ChartAsync();
        using var browser = NewBrowser();
        var callback = await AuthorizeAsync(browser, practitioner, patients[0]);
        var tampered = Regex.Replace(callback.ToString(), "state=([^&]+)", m => "state=" + (m.Groups[1].Value[0] == 'A' ? 'B' : 'A') + m.Groups[1].Value[1..]);
        using (var refused = await browser.GetAsync(tampered))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("launch_expired", await RefusalAsync(refused));
        }

        using (var first = await browser.GetAsync(callback))
        {
            Assert.Equal(HttpStatusCode.SeeOther, first.StatusCode);
        }

        // The same callback again (a replay, a reload, a stolen address): the state is spent.
        using var replay = await browser.GetAsync(callback);
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Equal("launch_expired", await RefusalAsync(replay));
    }

    [Fact]
    public async Task A_callback_in_a_browser_without_the_launch_cookie_fails_closed_and_offers_a_new_window()
    {
        var (_, practitioner, patients) = await ChartAsync();
        using var browser = NewBrowser();
        var callback = await AuthorizeAsync(browser, practitioner, patients[0]);
        var before = app.Ehr.TokenRequests.Count;

        // Another browser (or one that dropped the partitioned cookie) arrives with the code and state.
        using var other = NewBrowser();
        using var refused = await other.GetAsync(callback);
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var page = await refused.Content.ReadAsStringAsync();
        Assert.Contains("Open sign-in in a new window", page, StringComparison.Ordinal);
        Assert.Contains("id=\"smart-new-window\"", page, StringComparison.Ordinal);
        Assert.Null(refused.Headers.Location);
        // The code was never exchanged, and the state is spent for the first browser too.
        Assert.Equal(before, app.Ehr.TokenRequests.Count);
        using var late = await browser.GetAsync(callback);
        Assert.Equal("launch_expired", await RefusalAsync(late));
    }

    [Fact]
    public async Task A_sign_in_window_keeps_its_opener_and_its_last_page_carries_the_session_for_the_frames_token_only()
    {
        var (team, practitioner, patients) = await ChartAsync();
        using var browser = NewBrowser();
        await app.Ehr.SignInAsync(browser, practitioner);
        var token = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        using var launch = await browser.GetAsync(new Uri(app.Ehr.LaunchUrl(patients[0]) + "&frame=" + token));
        Assert.Equal(HttpStatusCode.Redirect, launch.StatusCode);
        // No Cross-Origin-Opener-Policy on the window's pages: the browser would cut it from the chart's frame.
        Assert.False(launch.Headers.Contains("Cross-Origin-Opener-Policy"));
        using var answer = await browser.GetAsync(launch.Headers.Location!);
        using var callback = await browser.GetAsync(answer.Headers.Location!);
        Assert.Equal(HttpStatusCode.OK, callback.StatusCode);
        Assert.False(callback.Headers.Contains("Cross-Origin-Opener-Policy"));
        Assert.Contains("no-store", callback.Headers.CacheControl!.ToString(), StringComparison.Ordinal);

        // The page hands the widget's address, with the frame's token, to its opener (smart-launch.js).
        var html = System.Net.WebUtility.HtmlDecode(await callback.Content.ReadAsStringAsync());
        Assert.Contains($"data-frame=\"{token}\"", html, StringComparison.Ordinal);
        var widget = new Uri(app.BaseAddress, Regex.Match(html, "data-widget=\"([^\"]+)\"").Groups[1].Value);
        Assert.Equal(team.Patients[0], (await SessionAsync(widget))!.PatientId);
        // Nothing is left on the server for anyone to fetch with a token or a secret.
        using var pickup = await browser.GetAsync(new Uri(app.BaseAddress, "smart/pickup/" + token));
        Assert.Equal(HttpStatusCode.NotFound, pickup.StatusCode);

        // A malformed token is refused before any redirect, and every other page keeps its opener policy.
        using var bad = await browser.GetAsync(new Uri(app.Ehr.LaunchUrl(patients[0]) + "&frame=XYZ"));
        Assert.Equal("bad_request", await RefusalAsync(bad));
        Assert.Equal("same-origin", (await browser.GetAsync(widget)).Headers.GetValues("Cross-Origin-Opener-Policy").Single());
    }

    [Fact]
    public async Task A_code_presented_with_another_launchs_pkce_verifier_is_refused_by_the_ehr_and_opens_nothing()
    {
        var (_, practitioner, patients) = await ChartAsync();
        using var browser = NewBrowser();
        var first = await AuthorizeAsync(browser, practitioner, patients[0]);
        var second = await AuthorizeAsync(browser, practitioner, patients[1]);
        var code = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(first.Query)["code"].ToString();
        // The first launch's code injected into the second launch's callback: the second's verifier does not match it.
        var injected = Regex.Replace(second.ToString(), "code=([^&]+)", "code=" + Uri.EscapeDataString(code));
        using var refused = await browser.GetAsync(injected);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("token_exchange", await RefusalAsync(refused));
    }

    [Fact]
    public async Task A_launch_from_an_ehr_not_on_the_allow_list_is_refused_before_any_redirect()
    {
        using var browser = NewBrowser();
        using var refused = await browser.GetAsync(new Uri(app.BaseAddress, "smart/launch?iss=" + Uri.EscapeDataString("https://evil.example/fhir") + "&launch=x"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("unknown_ehr", await RefusalAsync(refused));
        Assert.Null(refused.Headers.Location);
        // Not framed by anyone, the EHRs on the list included.
        Assert.Contains("frame-ancestors 'none'", refused.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);

        // The configured iss with a trailing slash or another case in the host is the same tenant; a longer path is not.
        using var longer = await browser.GetAsync(new Uri(app.BaseAddress, "smart/launch?iss=" + Uri.EscapeDataString(app.Ehr.Iss + "/other") + "&launch=x"));
        Assert.Equal("unknown_ehr", await RefusalAsync(longer));
        using var missing = await browser.GetAsync(new Uri(app.BaseAddress, "smart/launch?iss=" + Uri.EscapeDataString(app.Ehr.Iss.ToString())));
        Assert.Equal("missing_launch", await RefusalAsync(missing));
    }

    [Theory]
    [InlineData("no_patient")]
    [InlineData("scopes")]
    [InlineData("expired_id_token")]
    [InlineData("foreign_nonce")]
    [InlineData("foreign_audience")]
    public async Task A_token_response_without_what_huddle_needs_opens_nothing(string spoil)
    {
        var (_, practitioner, patients) = await ChartAsync();
        using var browser = NewBrowser();
        var callback = await AuthorizeAsync(browser, practitioner, patients[0]);
        var expected = spoil switch
        {
            "no_patient" => "no_patient",
            "scopes" => "scopes",
            _ => "id_token",
        };
        var sessionsBefore = app.Logs.Lines.Count(l => l.Contains("opened a widget session", StringComparison.Ordinal));
        {
            switch (spoil)
            {
                case "no_patient":
                    app.Ehr.TamperTokenResponse = r => r.Remove("patient");
                    break;
                case "scopes":
                    app.Ehr.TamperTokenResponse = r => r["scope"] = "launch openid fhirUser";
                    break;
                case "expired_id_token":
                    app.Ehr.TamperIdToken = c =>
                    {
                        c["exp"] = DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeSeconds();
                        c["iat"] = DateTimeOffset.UtcNow.AddMinutes(-30).ToUnixTimeSeconds();
                        c["nbf"] = DateTimeOffset.UtcNow.AddMinutes(-30).ToUnixTimeSeconds();
                    };
                    break;
                case "foreign_nonce":
                    app.Ehr.TamperIdToken = c => c["nonce"] = "not-this-launch";
                    break;
                default:
                    app.Ehr.TamperIdToken = c => c["aud"] = "another-app";
                    break;
            }
        }

        try
        {
            using var refused = await browser.GetAsync(callback);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal(expected, await RefusalAsync(refused));
            Assert.Null(refused.Headers.Location);
        }
        finally
        {
            app.Ehr.TamperTokenResponse = null;
            app.Ehr.TamperIdToken = null;
        }

        Assert.Equal(sessionsBefore, app.Logs.Lines.Count(l => l.Contains("opened a widget session", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_clinician_or_patient_huddle_does_not_know_or_a_patient_of_another_team_opens_nothing()
    {
        var (team, _, patients) = await ChartAsync();
        var n = Interlocked.Increment(ref _people);
        // A practitioner whose EHR record carries no Huddle id; one mapped to a clinician on another team.
        app.Ehr.AddPractitioner($"prac-x-{n}", "Nobody Mapped", $"u-nobody-{n}");
        app.Ehr.AddPractitioner($"prac-o-{n}", "Otto Side", team.Outsider);
        app.Ehr.AddPatient($"fp-{n}-unmapped", "Ursula Unmapped", new DateOnly(1990, 1, 1), null);
        app.Ehr.AddPractitioner($"prac-p-{n}", "Dr. Pat Carter", team.Pcp);

        foreach (var (practitioner, patient, code) in new[]
        {
            ($"prac-x-{n}", patients[0], "unknown_user"),
            ($"prac-o-{n}", patients[0], "not_on_team"),
            ($"prac-p-{n}", $"fp-{n}-unmapped", "unknown_patient"),
        })
        {
            using var browser = NewBrowser();
            using var refused = await browser.GetAsync(await AuthorizeAsync(browser, practitioner, patient));
            Assert.True(refused.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Forbidden, $"{code}: {refused.StatusCode}");
            Assert.Equal(code, await RefusalAsync(refused));
        }

        // The clinician refused a patient Huddle knows is in the patient's audit trail, as every refusal is.
        var log = app.App.Services.GetRequiredService<IGrainFactory>().GetGrain<IPatientAuditLogGrain>(team.Patients[0]);
        var records = (await log.ReadAsync("a-test-admin", null, 10)).Pages.SelectMany(p => p.Records).ToList();
        Assert.Contains(records, r => (r.UserId, r.Action, r.Outcome, r.Code, r.Client, r.Connection)
            == (team.Outsider, "Smart.Launch", AuditOutcome.Denied, "not_on_team", AuditVia.Http, HuddleSmartAppFixture.TenantId));
    }

    [Fact]
    public async Task A_session_ends_with_the_ehrs_token_and_two_launches_are_two_sessions_of_their_own_patients()
    {
        var (team, practitioner, patients) = await ChartAsync();
        using var browser = NewBrowser();
        var first = await LaunchAsync(browser, practitioner, patients[0]);
        var second = await LaunchAsync(browser, practitioner, patients[1]);
        Assert.NotEqual(first.Fragment, second.Fragment);
        Assert.Equal(team.Patients[0], (await SessionAsync(first))!.PatientId);
        Assert.Equal(team.Patients[1], (await SessionAsync(second))!.PatientId);

        // An EHR token of one second: the session lasts no longer.
        app.Ehr.TamperTokenResponse = r => r["expires_in"] = 1;
        Uri brief;
        try
        {
            brief = await LaunchAsync(browser, practitioner, patients[0]);
        }
        finally
        {
            app.Ehr.TamperTokenResponse = null;
        }

        await Eventually.Until(async () => await SessionAsync(brief) is null, TimeSpan.FromSeconds(10), "the one-second session to end");
        Assert.NotNull(await SessionAsync(first));
    }

    [Fact]
    public void Huddles_key_is_rsa_of_2048_bits_or_more_or_ec_p384_and_anything_else_stops_the_start_naming_the_setting()
    {
        using var p384 = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP384);
        var ec = SmartClientKey.FromPem(p384.ExportPkcs8PrivateKeyPem());
        Assert.Equal("ES384", ec.Algorithm);
        Assert.Contains("\"crv\":\"P-384\"", ec.Jwks, StringComparison.Ordinal);
        Assert.DoesNotContain("\"d\"", ec.Jwks, StringComparison.Ordinal);
        // The assertion it signs: issuer and subject the client, audience the token endpoint, five minutes, a jti.
        var now = DateTimeOffset.UtcNow;
        var assertion = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(ec.Assertion("huddle", new Uri("https://ehr.example/token"), now));
        Assert.Equal(("huddle", "huddle", "https://ehr.example/token", ec.KeyId, "ES384"),
            (assertion.Issuer, assertion.Subject, assertion.Audiences.Single(), assertion.Kid, assertion.Alg));
        Assert.Equal(TimeSpan.FromMinutes(5), assertion.ValidTo - assertion.IssuedAt);
        Assert.NotEqual(assertion.Id, new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(ec.Assertion("huddle", new Uri("https://ehr.example/token"), now)).Id);

        using var p256 = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        using var small = System.Security.Cryptography.RSA.Create(1024);
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        foreach (var pem in new[] { p256.ExportPkcs8PrivateKeyPem(), small.ExportPkcs8PrivateKeyPem(), "not a key", rsa.ExportSubjectPublicKeyInfoPem(), p384.ExportSubjectPublicKeyInfoPem() })
        {
            Assert.Contains(SmartClientKey.Key, Assert.Throws<InvalidOperationException>(() => SmartClientKey.FromPem(pem)).Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("Iss", "http://ehr.example/fhir", "Iss")]
    [InlineData("Id", "Not An Id", "Id")]
    [InlineData("ClientAuthentication", "tls_client_auth", "ClientAuthentication")]
    [InlineData("ClientAuthentication", "private_key_jwt", "ClientKeyFile")]
    [InlineData("FrameOrigins:0", "https://ehr.example/chart", "FrameOrigins")]
    [InlineData("CertificateSha256", "abc", "CertificateSha256")]
    public void A_tenant_setting_that_cannot_work_stops_the_start_naming_it(string key, string value, string named)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Huddle:Smart:Tenants:0:Id"] = "ehr",
            ["Huddle:Smart:Tenants:0:Iss"] = "https://ehr.example/fhir",
            ["Huddle:Smart:Tenants:0:ClientId"] = "huddle",
            ["Huddle:Smart:Tenants:0:ClientSecret"] = "s",
            ["Huddle:Smart:Tenants:0:UserIdentifierSystem"] = "urn:u",
            ["Huddle:Smart:Tenants:0:PatientIdentifierSystem"] = "urn:p",
        };
        Assert.Single(SmartSettings.From(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), new ProductionEnvironment()).Tenants);
        settings[$"Huddle:Smart:Tenants:0:{key}"] = value;
        var error = Assert.Throws<InvalidOperationException>(() => SmartSettings.From(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), new ProductionEnvironment()));
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    private sealed class ProductionEnvironment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = Environments.Production;

        public string ApplicationName { get; set; } = "Huddle.Web";

        public string ContentRootPath { get; set; } = "/";

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}
