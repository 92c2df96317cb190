using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Huddle.Testing;
using Huddle.Web.Auth;
using Huddle.Web.Http;
using Huddle.Web.Live;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Huddle.Web.Tests;

/// <summary>
/// Organisation sign-in (docs/security.md, "Sign-in"): API and hub clients with a real OpenID
/// Connect provider's access tokens, the browser's code flow with PKCE driven as a browser does
/// (redirects and cookies), refusals, and the settings that stop the start.
/// </summary>
public sealed class OidcTests(HuddleOidcAppFixture app) : IClassFixture<HuddleOidcAppFixture>
{
    private HttpClient Bearer(string token)
    {
        var http = new HttpClient { BaseAddress = app.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    private HubConnection Hub(string token) => HubConnections.To(app.BaseAddress, token);

    [Fact]
    public async Task The_providers_access_token_opens_the_api_and_the_hub_as_that_huddle_user_and_no_further()
    {
        var team = await app.CreateTeamAsync();
        app.Provider.AddAccount(team.Pcp, "Pat Carter at Test Health");
        app.Provider.AddAccount(team.Outsider, "Otto Side at Test Health");
        var token = await app.Provider.AccessTokenAsync(team.Pcp);
        Assert.Equal(2, token.Count(c => c == '.'));

        using var pcp = Bearer(token);
        var me = await pcp.GetFromJsonAsync<JsonElement>("api/me");
        Assert.Equal(team.Pcp, me.GetProperty("userId").GetString());
        // Huddle's own record names the person, not the provider's claim.
        Assert.Equal("Dr. Pat Carter", me.GetProperty("displayName").GetString());
        Assert.Equal(HttpStatusCode.OK, (await pcp.GetAsync($"api/teams/{team.TeamId}/board")).StatusCode);

        await using var hub = Hub(token);
        await hub.StartAsync();
        var board = await hub.InvokeAsync<JsonElement>("SubscribeBoard", team.TeamId);
        Assert.True(board.GetProperty("ok").GetBoolean(), board.ToString());

        // The outsider's own token opens nothing of the team's.
        using var outsider = Bearer(await app.Provider.AccessTokenAsync(team.Outsider));
        Assert.Equal(HttpStatusCode.Forbidden, (await outsider.GetAsync($"api/teams/{team.TeamId}/board")).StatusCode);
    }

    [Fact]
    public async Task A_provider_account_that_is_no_huddle_user_and_a_forged_or_foreign_token_are_refused()
    {
        var team = await app.CreateTeamAsync();
        // Signed in at the provider, but no team ever listed this id: not a Huddle user.
        var unknownId = "u-not-in-huddle-" + Guid.NewGuid().ToString("N")[..8];
        app.Provider.AddAccount(unknownId, "Nobody Known");
        using (var unknown = Bearer(await app.Provider.AccessTokenAsync(unknownId)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await unknown.GetAsync("api/me")).StatusCode);
        }

        // A token whose payload was edited to name the PCP: the signature no longer matches.
        app.Provider.AddAccount(team.Bhc, "Bea Holt at Test Health");
        var bhcToken = await app.Provider.AccessTokenAsync(team.Bhc);
        var parts = bhcToken.Split('.');
        var payload = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(parts[1]))!;
        payload["sub"] = JsonSerializer.SerializeToElement(team.Pcp);
        var forged = $"{parts[0]}.{Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(JsonSerializer.Serialize(payload))}.{parts[2]}";
        using (var forger = Bearer(forged))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await forger.GetAsync("api/me")).StatusCode);
        }

        // A token from another provider (its own keys and issuer), for the same user id.
        await using var other = await TestOidcProvider.StartAsync();
        other.AddAccount(team.Pcp, "Pat Carter elsewhere");
        using (var foreign = Bearer(await other.AccessTokenAsync(team.Pcp)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await foreign.GetAsync("api/me")).StatusCode);
        }

        await using var hub = Hub(forged);
        await Assert.ThrowsAnyAsync<Exception>(() => hub.StartAsync());

        // The genuine token still works.
        using var bhc = Bearer(bhcToken);
        Assert.Equal(team.Bhc, (await bhc.GetFromJsonAsync<JsonElement>("api/me")).GetProperty("userId").GetString());
    }

    [Fact]
    public async Task A_browser_signs_in_by_code_with_pkce_lands_signed_in_and_signs_out_at_the_provider_too()
    {
        var team = await app.CreateTeamAsync();
        var password = app.Provider.AddAccount(team.Pcp, "Pat Carter at Test Health");
        var browser = new Browser();

        // The sign-in page offers the organisation's provider.
        var signin = await browser.GetAsync(new Uri(app.BaseAddress, "signin"));
        Assert.Contains("Sign in with Test Health account", signin.Body, StringComparison.Ordinal);

        // Off to the provider: an authorization code request with PKCE, answered in the query.
        var start = await browser.GetAsync(new Uri(app.BaseAddress, $"signin/oidc?returnUrl={Uri.EscapeDataString($"/teams/{team.TeamId}/board")}"), follow: false);
        Assert.Equal(HttpStatusCode.Redirect, start.Status);
        var authorize = start.Location!;
        Assert.StartsWith(new Uri(app.Provider.Issuer, "connect/authorize").ToString(), authorize.ToString(), StringComparison.Ordinal);
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(authorize.Query);
        Assert.Equal("code", query["response_type"].ToString());
        Assert.Equal("S256", query["code_challenge_method"].ToString());
        // The code comes back in the query (the code flow's default mode, so the handler leaves it out): never a cross-site form post.
        Assert.True(!query.ContainsKey("response_mode") || query["response_mode"] == "query", authorize.Query);
        Assert.False(string.IsNullOrEmpty(query["code_challenge"].ToString()));

        // The provider's sign-in page, then its form: back at Huddle with a code, then on the team's board.
        var login = await browser.GetAsync(authorize);
        Assert.Contains("Test Health sign-in", login.Body, StringComparison.Ordinal);
        var landed = await browser.PostFormAsync(new Uri(app.Provider.Issuer, "login"), new()
        {
            ["returnUrl"] = ReturnUrlOf(login.Body),
            ["username"] = team.Pcp,
            ["password"] = password,
        });
        Assert.Equal(HttpStatusCode.OK, landed.Status);
        Assert.Equal($"/teams/{team.TeamId}/board", landed.Url.AbsolutePath);
        Assert.Equal(app.BaseAddress.Authority, landed.Url.Authority);
        Assert.Contains("Test team", landed.Body, StringComparison.Ordinal);
        Assert.Contains(team.Pcp, app.Provider.SignIns);

        // Signing out ends Huddle's session and the provider's: the next sign-in asks for the password again.
        var form = await browser.GetAsync(new Uri(app.BaseAddress, $"teams/{team.TeamId}/board"));
        var session = browser.Cookies(app.BaseAddress);
        Assert.NotEmpty(session);
        var signedOut = await browser.PostFormAsync(new Uri(app.BaseAddress, "signout"), new() { ["__RequestVerificationToken"] = Antiforgery.TokenIn(form.Body) });
        Assert.Equal("/signin", signedOut.Url.AbsolutePath);
        Assert.Contains("You are signed out", signedOut.Body, StringComparison.Ordinal);
        var again = await browser.GetAsync(new Uri(app.BaseAddress, $"teams/{team.TeamId}/board"));
        Assert.Equal("/signin", again.Url.AbsolutePath);
        var relogin = await browser.GetAsync(new Uri(app.BaseAddress, "signin/oidc?returnUrl=%2F"));
        Assert.Contains("Test Health sign-in", relogin.Body, StringComparison.Ordinal);

        // The session is ended on the server too: its cookie, turning up again (re-set by a renewal in
        // flight at the sign-out, or copied), opens nothing.
        var replay = new Browser(app.BaseAddress, session);
        Assert.Equal("/signin", (await replay.GetAsync(new Uri(app.BaseAddress, $"teams/{team.TeamId}/board"))).Url.AbsolutePath);
    }

    [Fact]
    public async Task A_provider_account_with_no_huddle_user_gets_a_page_that_says_so_and_no_session()
    {
        var nobody = "u-nobody-" + Guid.NewGuid().ToString("N")[..8];
        var password = app.Provider.AddAccount(nobody, "Nobody Known");
        var browser = new Browser();
        var login = await browser.GetAsync(new Uri(app.BaseAddress, "signin/oidc?returnUrl=%2F"));
        var refused = await browser.PostFormAsync(new Uri(app.Provider.Issuer, "login"), new()
        {
            ["returnUrl"] = ReturnUrlOf(login.Body),
            ["username"] = nobody,
            ["password"] = password,
        });
        Assert.Equal("/signin", refused.Url.AbsolutePath);
        Assert.Contains("not a Huddle user yet", refused.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(nobody, refused.Body, StringComparison.Ordinal);
        var home = await browser.GetAsync(app.BaseAddress);
        Assert.Equal("/signin", home.Url.AbsolutePath);
    }

    [Fact]
    public async Task A_hub_token_on_the_query_string_is_never_written_to_a_log()
    {
        var team = await app.CreateTeamAsync();
        app.Provider.AddAccount(team.Pcp, "Pat Carter at Test Health");
        var token = await app.Provider.AccessTokenAsync(team.Pcp);

        // As a browser connects: the token in the WebSocket URL's query string (the .NET client would use a header).
        Assert.Equal("{}", await HandshakeAsync(token));
        // A refused one too (a forged signature): failures are where handlers like to quote input.
        var forged = token[..^4] + "AAAA";
        var refused = await Assert.ThrowsAnyAsync<WebSocketException>(() => HandshakeAsync(forged));
        Assert.Contains("401", refused.Message, StringComparison.Ordinal);

        var signature = token.Split('.')[2];
        Assert.NotEmpty(app.Logs.Containing("/hubs/huddle"));
        Assert.Empty(app.Logs.Containing(signature));
        Assert.Empty(app.Logs.Containing(forged.Split('.')[2]));
        Assert.Empty(app.Logs.Containing("access_token="));
    }

    /// <summary>A SignalR JSON handshake over a raw WebSocket with <paramref name="token"/> on the URL; the server's answer.</summary>
    private async Task<string> HandshakeAsync(string token)
    {
        using var socket = new ClientWebSocket();
        var url = new UriBuilder(new Uri(app.BaseAddress, HuddleHub.Path.TrimStart('/'))) { Scheme = "ws", Query = "access_token=" + Uri.EscapeDataString(token) }.Uri;
        await socket.ConnectAsync(url, TestContext.Current.CancellationToken);
        await socket.SendAsync(System.Text.Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e"), WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);
        var buffer = new byte[4096];
        var read = await socket.ReceiveAsync(buffer, TestContext.Current.CancellationToken);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, TestContext.Current.CancellationToken);
        return System.Text.Encoding.UTF8.GetString(buffer, 0, read.Count).TrimEnd('\u001e');
    }

    [Theory]
    [InlineData("Production", "https://login.example.org/", null, "ClientId is required")]
    [InlineData("Production", "http://login.example.org/", "huddle", "must use https")]
    [InlineData("Development", "login.example.org", "huddle", "not an absolute https address")]
    public void Settings_that_cannot_work_stop_the_start_naming_the_setting(string environment, string authority, string? clientId, string message)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Huddle:Authentication:Oidc:Authority"] = authority,
            ["Huddle:Authentication:Oidc:ClientId"] = clientId,
        }).Build();
        var error = Assert.Throws<InvalidOperationException>(() => OidcSettings.From(configuration, new Env(environment)));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Contains(OidcSettings.Section, error.Message, StringComparison.Ordinal);

        var lax = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Huddle:Authentication:Oidc:Authority"] = "https://login.example.org/",
            ["Huddle:Authentication:Oidc:ClientId"] = "huddle",
            ["Huddle:Authentication:Oidc:RequireHttpsMetadata"] = "false",
        }).Build();
        Assert.Contains("Development only", Assert.Throws<InvalidOperationException>(() => OidcSettings.From(lax, new Env("Production"))).Message, StringComparison.Ordinal);
        Assert.Null(OidcSettings.From(new ConfigurationBuilder().Build(), new Env("Production")));
        var ok = OidcSettings.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Huddle:Authentication:Oidc:Authority"] = "https://login.example.org/",
            ["Huddle:Authentication:Oidc:ClientId"] = "huddle",
        }).Build(), new Env("Production"))!;
        Assert.Equal(("huddle", "sub", true), (ok.Audience, ok.UserIdClaim, ok.RequireHttpsMetadata));
        Assert.Equal(["openid", "profile"], ok.Scopes);
    }

    [Fact]
    public async Task A_back_channel_logout_ends_the_persons_hub_connection_cookie_and_tokens_at_once_and_nobody_elses()
    {
        var team = await app.CreateTeamAsync();
        var password = app.Provider.AddAccount(team.Pcp, "Pat Carter at Test Health");
        app.Provider.AddAccount(team.Bhc, "Bea Holt at Test Health");
        var browser = new Browser();
        Assert.Equal($"/teams/{team.TeamId}/board", (await SignInAsync(browser, team.Pcp, password, $"/teams/{team.TeamId}/board")).Url.AbsolutePath);
        var token = await app.Provider.AccessTokenAsync(team.Pcp);
        await using var hub = Hub(token);
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.Closed += e => { closed.TrySetResult(e); return Task.CompletedTask; };
        await hub.StartAsync();
        Assert.True((await hub.InvokeAsync<JsonElement>("SubscribeBoard", team.TeamId)).GetProperty("ok").GetBoolean());
        await using var bhc = Hub(await app.Provider.AccessTokenAsync(team.Bhc));
        await bhc.StartAsync();

        // The provider signs the PCP out everywhere.
        using (var answer = await app.Provider.BackChannelLogoutAsync(app.BaseAddress, team.Pcp))
        {
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }

        // The live hub connection is closed by the server, the token is refused, the cookie too.
        await closed.Task.Within(TimeSpan.FromSeconds(10), "the signed-out PCP's hub connection to close");
        using (var api = Bearer(token))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("api/me")).StatusCode);
        }

        Assert.Equal("/signin", (await browser.GetAsync(new Uri(app.BaseAddress, $"teams/{team.TeamId}/board"))).Url.AbsolutePath);
        await using (var again = Hub(token))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => again.StartAsync());
        }

        // The BHC is untouched; the PCP signing in afresh is let in.
        Assert.True((await bhc.InvokeAsync<JsonElement>("SubscribeBoard", team.TeamId)).GetProperty("ok").GetBoolean());
        Assert.Equal(HubConnectionState.Connected, bhc.State);
        await Task.Delay(TimeSpan.FromSeconds(1.1), TestContext.Current.CancellationToken);
        using var fresh = Bearer(await app.Provider.AccessTokenAsync(team.Pcp));
        Assert.Equal(HttpStatusCode.OK, (await fresh.GetAsync("api/me")).StatusCode);
        Assert.Equal($"/teams/{team.TeamId}/board", (await SignInAsync(new Browser(), team.Pcp, password, $"/teams/{team.TeamId}/board")).Url.AbsolutePath);
    }

    [Fact]
    public async Task A_back_channel_logout_of_one_provider_session_ends_that_browser_only()
    {
        var team = await app.CreateTeamAsync();
        var password = app.Provider.AddAccount(team.Pcp, "Pat Carter at Test Health");
        var desk = new Browser();
        var laptop = new Browser();
        await SignInAsync(desk, team.Pcp, password, $"/teams/{team.TeamId}/board");
        await SignInAsync(laptop, team.Pcp, password, $"/teams/{team.TeamId}/board");
        var sessions = app.Provider.SessionsOf(team.Pcp);
        Assert.Equal(2, sessions.Count);

        using (var answer = await app.Provider.BackChannelLogoutAsync(app.BaseAddress, team.Pcp, sid: sessions[0]))
        {
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }

        Assert.Equal("/signin", (await desk.GetAsync(new Uri(app.BaseAddress, $"teams/{team.TeamId}/board"))).Url.AbsolutePath);
        Assert.Equal($"/teams/{team.TeamId}/board", (await laptop.GetAsync(new Uri(app.BaseAddress, $"teams/{team.TeamId}/board"))).Url.AbsolutePath);
    }

    [Fact]
    public async Task A_logout_token_that_is_not_the_providers_or_not_a_logout_token_is_refused_and_ends_nothing()
    {
        var team = await app.CreateTeamAsync();
        app.Provider.AddAccount(team.Pcp, "Pat Carter at Test Health");
        var token = await app.Provider.AccessTokenAsync(team.Pcp);
        await using var hub = Hub(token);
        await hub.StartAsync();
        await using var other = await TestOidcProvider.StartAsync();
        var otherKey = other.SigningCredentials;

        var spoilt = new (string What, Action<Dictionary<string, object>>? Tamper, Microsoft.IdentityModel.Tokens.SigningCredentials? Key)[]
        {
            ("signed by another provider", null, otherKey),
            ("for another client", c => c["aud"] = "someone-else", null),
            ("without the logout event", c => c.Remove("events"), null),
            ("with a nonce", c => c["nonce"] = "n-1", null),
            ("without a subject", c => c.Remove("sub"), null),
        };
        foreach (var (what, tamper, key) in spoilt)
        {
            using var answer = await app.Provider.BackChannelLogoutAsync(app.BaseAddress, team.Pcp, tamper: tamper, signWith: key);
            Assert.True(answer.StatusCode == HttpStatusCode.BadRequest, $"{what}: {answer.StatusCode}");
            Assert.Equal("invalid_request", (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        }

        using (var garbage = await new HttpClient { BaseAddress = app.BaseAddress }.PostAsync("signout-oidc-backchannel",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["logout_token"] = "not.a.token" })))
        {
            Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
        }

        // Nothing ended: the connection answers, the token works.
        Assert.True((await hub.InvokeAsync<JsonElement>("SubscribeInbox")).GetProperty("ok").GetBoolean());
        using var api = Bearer(token);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("api/me")).StatusCode);
    }

    /// <summary>Signs <paramref name="browser"/> in at the provider as <paramref name="userId"/>, landing on <paramref name="path"/>.</summary>
    private async Task<Browser.Page> SignInAsync(Browser browser, string userId, string password, string path)
    {
        var login = await browser.GetAsync(new Uri(app.BaseAddress, $"signin/oidc?returnUrl={Uri.EscapeDataString(path)}"));
        return await browser.PostFormAsync(new Uri(app.Provider.Issuer, "login"), new()
        {
            ["returnUrl"] = ReturnUrlOf(login.Body),
            ["username"] = userId,
            ["password"] = password,
        });
    }

    private static string ReturnUrlOf(string loginPage) =>
        WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(loginPage, "name=\"returnUrl\" value=\"([^\"]*)\"").Groups[1].Value);

    private sealed class Env(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;
        public string ApplicationName { get; set; } = "Huddle.Web";
        public string ContentRootPath { get; set; } = ".";
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }

    /// <summary>
    /// A browser's part in the code flow: a cookie jar per site and redirects followed one by one
    /// (HttpClient's own following would drop cookies set on the way).
    /// </summary>
    private sealed class Browser
    {
        private readonly CookieContainer _cookies = new();

        public Browser()
        {
        }

        public Browser(Uri site, IEnumerable<Cookie> cookies)
        {
            foreach (var cookie in cookies)
            {
                _cookies.Add(site, new Cookie(cookie.Name, cookie.Value, "/"));
            }
        }

        /// <summary>Huddle's session cookie (its chunks) as held now for <paramref name="site"/>.</summary>
        public Cookie[] Cookies(Uri site) => [.. _cookies.GetCookies(site).Where(c => c.Name.StartsWith("huddle.auth", StringComparison.Ordinal))];

        public sealed record Page(HttpStatusCode Status, Uri Url, Uri? Location, string Body);

        public Task<Page> GetAsync(Uri url, bool follow = true) => SendAsync(new HttpRequestMessage(HttpMethod.Get, url), follow);

        public Task<Page> PostFormAsync(Uri url, Dictionary<string, string> form) =>
            SendAsync(new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(form) }, follow: true);

        private async Task<Page> SendAsync(HttpRequestMessage request, bool follow)
        {
            using var handler = new HttpClientHandler { CookieContainer = _cookies, AllowAutoRedirect = false };
            using var http = new HttpClient(handler);
            for (var hops = 0; ; hops++)
            {
                Assert.True(hops < 12, "Too many redirects.");
                using var response = await http.SendAsync(request);
                var url = request.RequestUri!;
                var location = response.Headers.Location is { } l ? new Uri(url, l) : null;
                request.Dispose();
                if (!follow || location is null || (int)response.StatusCode is < 300 or > 399)
                {
                    return new Page(response.StatusCode, url, location, await response.Content.ReadAsStringAsync());
                }

                request = new HttpRequestMessage(HttpMethod.Get, location);
            }
        }
    }
}
