using Huddle.Contracts.Common;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Huddle.Web.Auth;

/// <summary>
/// Browsers sign in with a cookie (issued by organisation sign-in, <see cref="OidcSignIn"/>, or the
/// development sign-in); API and hub clients send a bearer token (header, or access_token on the hub
/// URL for WebSockets, where browsers cannot set headers): the provider's JWT, or in Development a
/// dev token.
/// </summary>
public static class HuddleAuthentication
{
    /// <summary>The policy of administrators' endpoints and pages: a user of kind Administrator.</summary>
    public const string AdministratorPolicy = "huddle-administrator";

    public const string Scheme = "huddle";

    public static IServiceCollection AddHuddleAuthentication(this IServiceCollection services, IConfiguration configuration, IWebHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var oidc = OidcSettings.From(configuration, environment);
        if (oidc is not null)
        {
            services.AddSingleton(oidc);
        }

        var idle = IdleLogoffOptions.From(configuration);
        services.AddSingleton(idle);
        services.AddSingleton(RevalidationOptions.From(configuration));
        services.AddScoped<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider, CircuitRevalidation>();
        services.AddScoped<CircuitSignOut>();

        var auth = services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "Cookie or bearer token", o => o.ForwardDefaultSelector = ctx => SelectScheme(ctx, oidc is not null))
            .AddCookie(CookieAuthenticationDefaults.AuthenticationScheme, o =>
            {
                o.Cookie.Name = "huddle.auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
                // Idle logoff: the cookie lapses after the idle time without a request; a page's input
                // keeps it fresh (POST /session/alive), and a room display's page does so unasked.
                o.ExpireTimeSpan = idle.Enabled ? idle.CookieLifetime : TimeSpan.FromHours(12);
                o.SlidingExpiration = true;
                o.LoginPath = "/signin";
                // Only a sign-out at this path follows its redirect (to the sign-in page, or the provider's sign-out).
                o.LogoutPath = "/signout";
                o.AccessDeniedPath = "/signin";
                // APIs and the hub answer 401/403; only pages redirect to sign-in.
                o.Events.OnRedirectToLogin = ctx => Deny(ctx, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = ctx => Deny(ctx, StatusCodes.Status403Forbidden);
                // A session from the provider that the provider has since signed out (back-channel
                // logout, on any host) is refused at its next request, and its cookie removed.
                // Every cookie session gets an id of its own: what its sign-out records (BrowserSessionEndedAsync).
                o.Events.OnSigningIn = ctx =>
                {
                    if (ctx.Principal?.Identity is System.Security.Claims.ClaimsIdentity identity && identity.FindFirst(HuddleClaims.BrowserSession) is null)
                    {
                        identity.AddClaim(new System.Security.Claims.Claim(HuddleClaims.BrowserSession,
                            Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16))));
                        if (identity.FindFirst(HuddleClaims.SignedInAtClaim) is null)
                        {
                            identity.AddClaim(new System.Security.Claims.Claim(HuddleClaims.SignedInAtClaim,
                                DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)));
                        }
                    }

                    return Task.CompletedTask;
                };
                o.Events.OnValidatePrincipal = async ctx =>
                {
                    // A report of input renews the cookie every time, not only past half its life:
                    // its lapse then follows the page's idle sign-out by a fixed margin.
                    if (ctx.HttpContext.Request.Path.Equals(SessionAlivePath, StringComparison.Ordinal))
                    {
                        ctx.ShouldRenew = true;
                    }

                    // A session signed out in Huddle (its cookie re-set by a renewal that was in flight at
                    // the sign-out, or copied before it), or signed out at the provider (back-channel logout).
                    var grains = ctx.HttpContext.RequestServices.GetRequiredService<IGrainFactory>();
                    if (ctx.Principal is { } user && (await BrowserSessionEndedAsync(user, grains) || await OidcSignIn.EndedAsync(user, grains)))
                    {
                        ctx.RejectPrincipal();
                        await ctx.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                    }
                };
            })
            // A hub token sent on the URL is in the Authorization header by now (Security/HubTokenFromQuery).
            .AddBearerToken(BearerTokenDefaults.AuthenticationScheme, o => o.BearerTokenExpiration = TimeSpan.FromHours(12))
            // A SMART widget's circuit: its session handle as the circuit connection's bearer token.
            .AddScheme<AuthenticationSchemeOptions, Smart.WidgetAuthentication>(Smart.WidgetAuthentication.SchemeName, null);
        services.AddSingleton<IHttpContextFactory, Security.HubTokenFromQuery>();
        if (oidc is not null)
        {
            auth.AddHuddleOidc(oidc, environment);
        }

        services.AddAuthorization(o => o.AddPolicy(AdministratorPolicy, p => p.RequireAuthenticatedUser()
            .RequireClaim(HuddleClaims.Kind, nameof(Contracts.Users.UserKind.Administrator))
            .AddRequirements(new CurrentAdministrator())));
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationHandler>(sp => new CurrentAdministrator(sp.GetRequiredService<IGrainFactory>()));
        services.AddSingleton<SessionRegistry>();
        services.AddHostedService(sp => sp.GetRequiredService<SessionRegistry>());
        services.AddSingleton<SessionHubFilter>();
        services.AddScoped<Microsoft.AspNetCore.Components.Server.Circuits.CircuitHandler, SessionCircuitHandler>();
        return services;
    }

    /// <summary>
    /// POST /session/alive: a signed-in page saw its person's input (or is a room display), so the
    /// cookie's idle time starts again (the cookie handler renews a sliding cookie past half its time).
    /// </summary>
    public static void MapSessionAlive(this IEndpointRouteBuilder app)
    {
        app.MapPost(SessionAlivePath, () => Results.NoContent()).RequireAuthorization();

        // GET /session/idle: where a page that signed its person out for idleness sends the browser; the
        // cookie is removed, then the sign-in page says why. Only from Huddle's own pages (the browser's
        // Sec-Fetch-Site): another site linking here signs nobody out.
        app.MapGet(SessionIdlePath, async (HttpContext context, CancellationToken _) =>
        {
            var site = context.Request.Headers["Sec-Fetch-Site"].ToString();
            if (site is "same-origin" or "none")
            {
                await EndBrowserSessionAsync(context);
                await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            }

            return Results.Redirect("/signin?idle=1");
        });
    }

    public const string SessionIdlePath = "/session/idle";

    public const string SessionAlivePath = "/session/alive";

    /// <summary>POST /signout: ends the browser session.</summary>
    public static void MapSignOut(this IEndpointRouteBuilder app) =>
        // Two parameters on purpose: a lambda of HttpContext alone returning a Task would bind as a
        // RequestDelegate, and the sign-out result it returns would be dropped unexecuted.
        app.MapPost("/signout", async (HttpContext context, CancellationToken _) =>
        {
            // The form carries the page's antiforgery token. Minimal APIs check it only for endpoints that
            // bind form fields, and this one binds none: checked here, or any site could sign a person out.
            if (!await context.RequestServices.GetRequiredService<Microsoft.AspNetCore.Antiforgery.IAntiforgery>().IsRequestValidAsync(context))
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Sign out from a Huddle page: the form's antiforgery token is missing or invalid.");
            }

            // Stored before anything else: should storage fail, the person is still signed in and sees the
            // error, rather than signed out with a cookie that could come back.
            await EndBrowserSessionAsync(context);
            // This device's push subscription goes with the session (a shared phone stops getting pings).
            await Push.PushSessionEndpoints.ForgetDeviceAsync(context);
            return Results.SignOut(new() { RedirectUri = "/signin?signedout=1" }, await OidcSignIn.SignOutSchemesAsync(context));
        });

    /// <summary>
    /// True when <paramref name="user"/>'s cookie session has been signed out in Huddle, or carries no
    /// session id (a cookie from before sessions had ids: its person signs in again once).
    /// </summary>
    public static async Task<bool> BrowserSessionEndedAsync(System.Security.Claims.ClaimsPrincipal user, IGrainFactory grains)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(grains);
        return HuddleClaims.BrowserSessionOf(user) is not { } session
            || await grains.Grain<Contracts.Users.IBrowserSignOutGrain>(user.UserIdOf()).EndedAsync(session, HuddleClaims.SignedInAt(user));
    }

    /// <summary>Records that the signed-in cookie session of <paramref name="context"/> ended (none signed in: nothing).</summary>
    private static async Task EndBrowserSessionAsync(HttpContext context)
    {
        if (context.User.Identity?.IsAuthenticated == true && HuddleClaims.BrowserSessionOf(context.User) is { } session)
        {
            await context.RequestServices.GetRequiredService<IGrainFactory>().Grain<Contracts.Users.IBrowserSignOutGrain>(context.User.UserIdOf()).EndAsync(session);
        }
    }

    /// <summary>
    /// The API and the hub take bearer tokens only; the cookie serves the Blazor pages only. A
    /// browser therefore never sends credentials to /api or /hubs by itself, which is what makes
    /// cross-site request forgery against them impossible.
    /// </summary>
    /// <remarks>
    /// With organisation sign-in configured, a bearer token shaped as a JWT (three dot-separated
    /// parts) is the provider's and goes to its handler; the dev sign-in's tokens (Development only)
    /// are opaque and have no dots.
    /// </remarks>
    private static string SelectScheme(HttpContext context, bool oidc)
    {
        // Blazor's circuit of a widget page, which sends its session handle (nowhere else is one read).
        if (context.Request.Path.StartsWithSegments("/_blazor") && Smart.WidgetAuthentication.Carries(context.Request))
        {
            return Smart.WidgetAuthentication.SchemeName;
        }

        if (!context.Request.Path.StartsWithSegments("/api") && !context.Request.Path.StartsWithSegments("/hubs"))
        {
            return CookieAuthenticationDefaults.AuthenticationScheme;
        }

        if (oidc)
        {
            var header = context.Request.Headers.Authorization.ToString();
            if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.AsSpan("Bearer ".Length).Count('.') == 2)
            {
                return OidcSettings.BearerScheme;
            }
        }

        return BearerTokenDefaults.AuthenticationScheme;
    }

    private static Task Deny(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> ctx, int status)
    {
        if (ctx.Request.Path.StartsWithSegments("/api") || ctx.Request.Path.StartsWithSegments("/hubs"))
        {
            ctx.Response.StatusCode = status;
        }
        else
        {
            ctx.Response.Redirect(ctx.RedirectUri);
        }

        return Task.CompletedTask;
    }
}
