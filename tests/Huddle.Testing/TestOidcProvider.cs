using System.Collections.Concurrent;
using Microsoft.AspNetCore;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Huddle.Testing;

/// <summary>
/// A real OpenID Connect provider for the tests (OpenIddict's server, on a free loopback port in
/// the test process), standing in for a hospital's identity provider: a sign-in page with a user
/// name and password, the authorization code flow with PKCE for Huddle's browser sign-in, the
/// password grant for API and hub clients' tokens, and the end-session endpoint. It keeps no store
/// (OpenIddict's degraded mode: its codes and tokens are self-contained and signed with keys made at
/// start), so the one client it knows, and the users, are held here.
/// </summary>
public sealed class TestOidcProvider : IAsyncDisposable
{
    public const string ClientId = "huddle";

    /// <summary>The audience of the access tokens it issues for Huddle's API and hub.</summary>
    public const string Audience = "huddle-api";

    private const string LoginScheme = "provider";

    private readonly ConcurrentDictionary<string, Account> _accounts = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<string> _redirectUris = [];
    private readonly ConcurrentBag<string> _postLogoutUris = [];
    private WebApplication _app = default!;

    /// <summary>The client secret Huddle is registered with.</summary>
    public string ClientSecret { get; } = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    /// <summary>The provider's issuer, its base address (<c>Huddle:Authentication:Oidc:Authority</c>).</summary>
    public Uri Issuer { get; private set; } = default!;

    /// <summary>How long its access tokens last (an hour unless a test wants them short).</summary>
    public TimeSpan AccessTokenLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Sign-ins that completed at the provider (user id each), for tests that count them.</summary>
    public ConcurrentQueue<string> SignIns { get; } = new();

    public static async Task<TestOidcProvider> StartAsync(TimeSpan? accessTokenLifetime = null)
    {
        var provider = new TestOidcProvider { AccessTokenLifetime = accessTokenLifetime ?? TimeSpan.FromHours(1) };
        await provider.StartCoreAsync();
        return provider;
    }

    /// <summary>
    /// An account at the provider for the Huddle user <paramref name="userId"/>; returns its password.
    /// <paramref name="subject"/> is what the provider calls the person (their id by default).
    /// </summary>
    public string AddAccount(string userId, string displayName, string? subject = null)
    {
        var password = "pw-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6));
        _accounts[userId] = new Account(subject ?? userId, displayName, password);
        return password;
    }

    /// <summary>Lets Huddle at <paramref name="huddle"/> use the provider: its callback and signed-out addresses.</summary>
    public void RegisterClient(Uri huddle)
    {
        ArgumentNullException.ThrowIfNull(huddle);
        _redirectUris.Add(new Uri(huddle, "signin-oidc").ToString());
        _postLogoutUris.Add(new Uri(huddle, "signout-callback-oidc").ToString());
    }

    /// <summary>Huddle's settings for this provider (<c>Huddle:Authentication:Oidc</c>).</summary>
    public Dictionary<string, string?> HuddleSettings() => new()
    {
        ["Huddle:Authentication:Oidc:Authority"] = Issuer.ToString(),
        ["Huddle:Authentication:Oidc:ClientId"] = ClientId,
        ["Huddle:Authentication:Oidc:ClientSecret"] = ClientSecret,
        ["Huddle:Authentication:Oidc:Audience"] = Audience,
        ["Huddle:Authentication:Oidc:ProviderName"] = "Test Health account",
        // Plain http on loopback: allowed in Development only (OidcSettings).
        ["Huddle:Authentication:Oidc:RequireHttpsMetadata"] = "false",
    };

    /// <summary>
    /// Back-channel logout (OpenID Connect Back-Channel Logout 1.0), as a provider sends it when a
    /// person signs out there or an administrator ends their sessions: a logout token signed with the
    /// provider's key, posted to Huddle at <paramref name="huddle"/>. <paramref name="sid"/> names one
    /// provider session; null ends them all. Returns Huddle's answer. <paramref name="tamper"/> lets a
    /// test spoil the token's claims before it is signed.
    /// </summary>
    public async Task<HttpResponseMessage> BackChannelLogoutAsync(Uri huddle, string userId, string? sid = null,
        Action<Dictionary<string, object>>? tamper = null, Microsoft.IdentityModel.Tokens.SigningCredentials? signWith = null)
    {
        ArgumentNullException.ThrowIfNull(huddle);
        var claims = new Dictionary<string, object>
        {
            ["sub"] = _accounts[userId].Subject,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["events"] = new Dictionary<string, object> { ["http://schemas.openid.net/event/backchannel-logout"] = new Dictionary<string, object>() },
        };
        if (sid is not null)
        {
            claims["sid"] = sid;
        }

        var audience = ClientId;
        tamper?.Invoke(claims);
        if (claims.Remove("aud", out var aud))
        {
            audience = (string)aud;
        }

        var token = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().CreateToken(new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
        {
            Issuer = Issuer.ToString(),
            Audience = audience,
            IssuedAt = DateTime.UtcNow,
            Expires = DateTime.UtcNow.AddMinutes(2),
            Claims = claims,
            TokenType = "logout+jwt",
            SigningCredentials = signWith ?? SigningCredentials,
        });
        using var http = new HttpClient { BaseAddress = huddle };
        return await http.PostAsync("signout-oidc-backchannel", new FormUrlEncodedContent(new Dictionary<string, string> { ["logout_token"] = token }));
    }

    /// <summary>The key the provider signs its tokens with (a test signs a forged token with another provider's).</summary>
    public Microsoft.IdentityModel.Tokens.SigningCredentials SigningCredentials =>
        _app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<OpenIddict.Server.OpenIddictServerOptions>>().CurrentValue.SigningCredentials[0];

    /// <summary>The provider session ids of <paramref name="userId"/>'s browser sign-ins so far.</summary>
    public IReadOnlyList<string> SessionsOf(string userId) => [.. _sessions.Where(s => s.UserId == userId).Select(s => s.Sid)];

    private readonly ConcurrentQueue<(string UserId, string Sid)> _sessions = new();

    /// <summary>An access token for <paramref name="userId"/> by the password grant, as a native client gets one.</summary>
    public async Task<string> AccessTokenAsync(string userId)
    {
        var account = _accounts[userId];
        using var http = new HttpClient { BaseAddress = Issuer };
        using var response = await http.PostAsync("connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = GrantTypes.Password,
            ["client_id"] = ClientId,
            ["client_secret"] = ClientSecret,
            ["username"] = userId,
            ["password"] = account.Password,
            ["scope"] = "openid profile",
        }));
        var body = await response.Content.ReadFromJsonAsync<Dictionary<string, object>>();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"The test provider refused a token for {userId}: {string.Join(", ", body ?? [])}");
        }

        return body!["access_token"].ToString()!;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private async Task StartCoreAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Development", ApplicationName = typeof(TestOidcProvider).Assembly.GetName().Name });
        // The test directory holds Huddle's appsettings.json (its port 5000); the provider takes any free one.
        builder.Configuration["Kestrel:Endpoints:Http:Url"] = "http://127.0.0.1:0";
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddRouting();
        builder.Services.AddAuthentication(LoginScheme).AddCookie(LoginScheme, o =>
        {
            o.Cookie.Name = "provider.session";
            o.LoginPath = "/login";
            o.ReturnUrlParameter = "returnUrl";
        });
        builder.Services.AddAuthorization();
        builder.Services.AddOpenIddict().AddServer(o =>
        {
            o.SetAuthorizationEndpointUris("connect/authorize")
                .SetTokenEndpointUris("connect/token")
                .SetEndSessionEndpointUris("connect/endsession");
            o.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
            o.AllowPasswordFlow();
            o.RegisterScopes(Scopes.OpenId, Scopes.Profile);
            o.AddEphemeralEncryptionKey().AddEphemeralSigningKey();
            // Resource servers (Huddle's JWT bearer handler) read access tokens as signed JWTs.
            o.DisableAccessTokenEncryption();
            o.SetAccessTokenLifetime(AccessTokenLifetime);
            o.EnableDegradedMode();
            o.UseAspNetCore()
                .EnableAuthorizationEndpointPassthrough()
                .EnableTokenEndpointPassthrough()
                .EnableEndSessionEndpointPassthrough()
                .DisableTransportSecurityRequirement();
            // No store in degraded mode: the client and its addresses are checked here.
            o.AddEventHandler<ValidateAuthorizationRequestContext>(b => b.UseInlineHandler(ctx =>
            {
                if (ctx.ClientId != ClientId)
                {
                    ctx.Reject(Errors.InvalidClient, "Unknown client_id.");
                }
                else if (ctx.RedirectUri is null || !_redirectUris.Contains(ctx.RedirectUri))
                {
                    ctx.Reject(Errors.InvalidRequest, "The redirect_uri is not registered for this client.");
                }

                return default;
            }));
            o.AddEventHandler<ValidateTokenRequestContext>(b => b.UseInlineHandler(ctx =>
            {
                if (ctx.ClientId != ClientId || ctx.ClientSecret != ClientSecret)
                {
                    ctx.Reject(Errors.InvalidClient, "Unknown client or wrong secret.");
                }

                return default;
            }));
            o.AddEventHandler<ValidateEndSessionRequestContext>(b => b.UseInlineHandler(ctx =>
            {
                if (ctx.PostLogoutRedirectUri is { } uri && !_postLogoutUris.Contains(uri))
                {
                    ctx.Reject(Errors.InvalidRequest, "The post_logout_redirect_uri is not registered.");
                }

                return default;
            }));
        });

        _app = builder.Build();
        _app.UseAuthentication();
        _app.UseAuthorization();
        _app.MapGet("/login", (string? returnUrl, bool? failed) => Results.Content(LoginPage(returnUrl ?? "/", failed == true), "text/html"));
        _app.MapPost("/login", async (HttpContext http) =>
        {
            var form = await http.Request.ReadFormAsync();
            var returnUrl = form["returnUrl"].ToString();
            var userId = form["username"].ToString();
            if (!_accounts.TryGetValue(userId, out var account) || account.Password != form["password"].ToString())
            {
                return Results.Redirect($"/login?failed=true&returnUrl={Uri.EscapeDataString(returnUrl)}");
            }

            var sid = Guid.NewGuid().ToString("N");
            _sessions.Enqueue((userId, sid));
            var session = new ClaimsIdentity([new Claim(Claims.Subject, account.Subject), new Claim(Claims.Name, account.Name),
                new Claim("sid", sid), new Claim("login", userId)], LoginScheme);
            await http.SignInAsync(LoginScheme, new ClaimsPrincipal(session));
            return Results.Redirect(returnUrl.StartsWith('/') ? returnUrl : "/");
        });
        _app.MapMethods("/connect/authorize", ["GET", "POST"], async (HttpContext http) =>
        {
            var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
            var login = await http.AuthenticateAsync(LoginScheme);
            if (!login.Succeeded)
            {
                var query = http.Request.HasFormContentType ? QueryString.Create(http.Request.Form.ToList()) : http.Request.QueryString;
                return Results.Challenge(new AuthenticationProperties { RedirectUri = http.Request.Path + query }, [LoginScheme]);
            }

            var session = login.Principal!;
            SignIns.Enqueue(session.FindFirst("login")!.Value);
            return SignIn(session.FindFirst(Claims.Subject)!.Value, session.FindFirst(Claims.Name)!.Value, session.FindFirst("sid")!.Value, request.GetScopes());
        });
        _app.MapPost("/connect/token", async (HttpContext http) =>
        {
            var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
            if (request.IsAuthorizationCodeGrantType())
            {
                // The code was checked by OpenIddict (signature, expiry, PKCE, client, redirect_uri).
                var code = await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
                var principal = code.Principal!;
                return SignIn(principal.GetClaim(Claims.Subject)!, principal.GetClaim(Claims.Name)!, principal.GetClaim("sid")!, principal.GetScopes());
            }

            if (request.IsPasswordGrantType() && request.Username is { } userId && _accounts.TryGetValue(userId, out var account) && account.Password == request.Password)
            {
                return SignIn(account.Subject, account.Name, Guid.NewGuid().ToString("N"), request.GetScopes());
            }

            return Results.Forbid(new AuthenticationProperties(new Dictionary<string, string?>
            {
                [OpenIddictServerAspNetCoreConstants.Properties.Error] = Errors.InvalidGrant,
                [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = "Wrong user name or password.",
            }), [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
        });
        _app.MapMethods("/connect/endsession", ["GET", "POST"], async (HttpContext http) =>
        {
            await http.SignOutAsync(LoginScheme);
            return Results.SignOut(new AuthenticationProperties { RedirectUri = "/" }, [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
        });
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Issuer = new Uri(address.EndsWith('/') ? address : address + "/");
    }

    /// <summary>The provider's answer for a person it vouches for: the id token's and access token's claims.</summary>
    private static IResult SignIn(string subject, string name, string sessionId, IEnumerable<string> scopes)
    {
        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, subject).SetClaim(Claims.Name, name).SetClaim("sid", sessionId);
        identity.SetScopes(scopes);
        identity.SetResources(Audience);
        identity.SetDestinations(_ => [Destinations.AccessToken, Destinations.IdentityToken]);
        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static string LoginPage(string returnUrl, bool failed) => $$"""
        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test Health sign-in</title></head>
        <body><h1>Test Health sign-in</h1>
        {{(failed ? "<p role=\"alert\" id=\"failed\">Wrong user name or password.</p>" : "")}}
        <form method="post" action="/login">
        <input type="hidden" name="returnUrl" value="{{HtmlEncoder.Default.Encode(returnUrl)}}">
        <label>User name <input id="username" name="username" autocomplete="username"></label>
        <label>Password <input id="password" name="password" type="password" autocomplete="current-password"></label>
        <button id="submit" type="submit">Sign in</button>
        </form></body></html>
        """;

    private sealed record Account(string Subject, string Name, string Password);
}
