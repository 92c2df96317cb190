using System.Net;
using Huddle.Testing;
using Huddle.Web.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Huddle.Web.Tests;

/// <summary>
/// A sign-out ends the browser session on the server, not only in the browser (docs/security.md,
/// "Sign-out"): the session's cookie is refused wherever it turns up again.
/// </summary>
public sealed class SignOutTests(HuddleAppFixture app)
{
    [Fact]
    public async Task A_signed_out_sessions_cookie_is_refused_even_renewed_by_a_report_in_flight_at_the_sign_out()
    {
        var team = await app.CreateTeamAsync();
        var board = $"teams/{team.TeamId}/board";
        var browser = new CookieBrowser(app.BaseAddress);
        await browser.DevSignInAsync(team.Pcp);
        var phone = new CookieBrowser(app.BaseAddress);
        await phone.DevSignInAsync(team.Pcp);
        var opened = await browser.SendAsync(HttpMethod.Get, board);
        Assert.Equal(HttpStatusCode.OK, opened.Status);
        var signedIn = browser.Cookies();

        // A report of input renews the cookie: what a report still at the server when the person signs
        // out sends back after the sign-out's answer, so the browser holds it again.
        var alive = await browser.SendAsync(HttpMethod.Post, HuddleAuthentication.SessionAlivePath);
        Assert.Equal(HttpStatusCode.NoContent, alive.Status);
        Assert.True(alive.SetsCookie, "The report of input renews the cookie.");
        var renewed = browser.Cookies();
        Assert.NotEqual(signedIn.Single().Value, renewed.Single().Value);

        var signedOut = await browser.SignOutAsync(opened.Body);
        Assert.Equal("/signin?signedout=1", signedOut.Location);
        Assert.Empty(browser.Cookies());

        foreach (var cookies in new[] { renewed, signedIn })
        {
            var again = new CookieBrowser(app.BaseAddress, cookies);
            var page = await again.SendAsync(HttpMethod.Get, board);
            Assert.Equal((HttpStatusCode.Redirect, "/signin"), (page.Status, page.Path));
            Assert.Empty(again.Cookies());
            // Nor does a report of input bring it back: sent to sign in, no cookie renewed.
            var reporter = new CookieBrowser(app.BaseAddress, cookies);
            var report = await reporter.SendAsync(HttpMethod.Post, HuddleAuthentication.SessionAlivePath);
            Assert.Equal((HttpStatusCode.Redirect, "/signin"), (report.Status, report.Path));
            Assert.Empty(reporter.Cookies());
        }

        // The person's other device is another session: still signed in.
        Assert.Equal(HttpStatusCode.OK, (await phone.SendAsync(HttpMethod.Get, board)).Status);
    }

    [Fact]
    public async Task A_sign_out_posted_without_the_pages_antiforgery_token_is_refused_and_the_session_stays()
    {
        var team = await app.CreateTeamAsync();
        var board = $"teams/{team.TeamId}/board";
        var browser = new CookieBrowser(app.BaseAddress);
        await browser.DevSignInAsync(team.Pcp);
        var opened = await browser.SendAsync(HttpMethod.Get, board);
        var signedIn = browser.Cookies();

        // Another site's page auto-submitting a form to /signout: no token, or one that is not this page's.
        foreach (var token in new[] { null, "CfDJ8-not-a-token" })
        {
            var forged = await browser.SignOutAsync(token is null ? null : $"<input name=\"__RequestVerificationToken\" type=\"hidden\" value=\"{token}\" />");
            Assert.Equal(HttpStatusCode.BadRequest, forged.Status);
            Assert.Contains("antiforgery", forged.Body, StringComparison.Ordinal);
            Assert.False(forged.SetsCookie, "A refused sign-out leaves the cookie alone.");
        }

        Assert.Equal(HttpStatusCode.OK, (await new CookieBrowser(app.BaseAddress, signedIn).SendAsync(HttpMethod.Get, board)).Status);
        Assert.Equal("/signin?signedout=1", (await browser.SignOutAsync(opened.Body)).Location);
    }

    [Fact]
    public async Task An_idle_sign_out_ends_the_session_on_the_server_too()
    {
        var team = await app.CreateTeamAsync();
        var browser = new CookieBrowser(app.BaseAddress);
        await browser.DevSignInAsync(team.Bhc);
        var signedIn = browser.Cookies();

        var idle = await browser.SendAsync(HttpMethod.Get, HuddleAuthentication.SessionIdlePath, ("Sec-Fetch-Site", "same-origin"));
        Assert.Equal("/signin?idle=1", idle.Location);

        var again = await new CookieBrowser(app.BaseAddress, signedIn).SendAsync(HttpMethod.Post, HuddleAuthentication.SessionAlivePath);
        Assert.Equal((HttpStatusCode.Redirect, "/signin"), (again.Status, again.Path));
    }

    [Fact]
    public async Task A_cookie_with_no_session_id_is_refused_and_one_with_an_id_opens_the_board()
    {
        var team = await app.CreateTeamAsync();
        var format = app.App.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(CookieAuthenticationDefaults.AuthenticationScheme).TicketDataFormat;
        string Cookie(params System.Security.Claims.Claim[] more) => format.Protect(new AuthenticationTicket(
            HuddleClaims.Create(team.Pcp, "Pat", nameof(Contracts.Users.UserKind.Clinician), CookieAuthenticationDefaults.AuthenticationScheme, more),
            new AuthenticationProperties { IssuedUtc = DateTimeOffset.UtcNow, ExpiresUtc = DateTimeOffset.UtcNow.AddMinutes(10) },
            CookieAuthenticationDefaults.AuthenticationScheme));

        // Signed before sessions had ids: no sign-out could name it, so it is refused (its person signs in again once).
        var old = new CookieBrowser(app.BaseAddress, [new Cookie("huddle.auth", Cookie())]);
        Assert.Equal("/signin", (await old.SendAsync(HttpMethod.Get, $"teams/{team.TeamId}/board")).Path);

        var current = new CookieBrowser(app.BaseAddress, [new Cookie("huddle.auth", Cookie(new System.Security.Claims.Claim(HuddleClaims.BrowserSession, "0123456789abcdef0123456789abcdef")))]);
        Assert.Equal(HttpStatusCode.OK, (await current.SendAsync(HttpMethod.Get, $"teams/{team.TeamId}/board")).Status);
    }

    /// <summary>A browser's cookie jar for Huddle's site, copied out and into a new browser at will; no redirects followed.</summary>
    private sealed class CookieBrowser
    {
        private readonly Uri _site;
        private readonly CookieContainer _jar = new();

        public CookieBrowser(Uri site, IEnumerable<Cookie>? cookies = null)
        {
            _site = site;
            foreach (var cookie in cookies ?? [])
            {
                _jar.Add(site, new Cookie(cookie.Name, cookie.Value, "/"));
            }
        }

        public sealed record Answer(HttpStatusCode Status, string? Location, bool SetsCookie, string Body)
        {
            /// <summary>The path a redirect sends the browser to.</summary>
            public string? Path => Location is null ? null : new Uri(new Uri("http://huddle/"), Location).AbsolutePath;
        }

        /// <summary>The session cookie (its chunks, if any) as the browser holds it now.</summary>
        public Cookie[] Cookies() => [.. _jar.GetCookies(_site).Where(c => c.Name.StartsWith("huddle.auth", StringComparison.Ordinal))];

        public async Task DevSignInAsync(string userId)
        {
            var page = await SendAsync(HttpMethod.Get, "signin");
            var token = Antiforgery.TokenIn(page.Body);
            Assert.NotEmpty(token);
            var signIn = await SendAsync(HttpMethod.Post, "dev/signin", form: new() { ["userId"] = userId, ["__RequestVerificationToken"] = token });
            Assert.Equal(HttpStatusCode.Redirect, signIn.Status);
            Assert.NotEmpty(Cookies());
        }

        /// <summary>Sends the sign-out form of a page whose HTML is <paramref name="page"/> (with its antiforgery field; none when null).</summary>
        public async Task<Answer> SignOutAsync(string? page) =>
            await SendAsync(HttpMethod.Post, "signout", page is null ? new Dictionary<string, string>() : new() { ["__RequestVerificationToken"] = Antiforgery.TokenIn(page) });

        public async Task<Answer> SendAsync(HttpMethod method, string path, params (string Name, string Value)[] headers) =>
            await SendAsync(method, path, null, headers);

        private async Task<Answer> SendAsync(HttpMethod method, string path, Dictionary<string, string>? form, params (string Name, string Value)[] headers)
        {
            using var handler = new HttpClientHandler { CookieContainer = _jar, AllowAutoRedirect = false };
            using var http = new HttpClient(handler) { BaseAddress = _site };
            using var request = new HttpRequestMessage(method, path.TrimStart('/'));
            if (form is not null)
            {
                request.Content = new FormUrlEncodedContent(form);
            }

            foreach (var (name, value) in headers)
            {
                request.Headers.Add(name, value);
            }

            using var response = await http.SendAsync(request);
            return new Answer(response.StatusCode, response.Headers.Location?.OriginalString, response.Headers.Contains("Set-Cookie"), await response.Content.ReadAsStringAsync());
        }
    }
}
