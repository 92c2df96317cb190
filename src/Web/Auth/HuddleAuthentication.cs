using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Huddle.Web.Auth;

/// <summary>
/// Browsers sign in with a cookie; API and hub clients send a bearer token (header, or
/// access_token on the hub URL for WebSockets, where browsers cannot set headers).
/// </summary>
public static class HuddleAuthentication
{
    public const string Scheme = "huddle";

    public static IServiceCollection AddHuddleAuthentication(this IServiceCollection services, IWebHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "Cookie or bearer token", o => o.ForwardDefaultSelector = SelectScheme)
            .AddCookie(CookieAuthenticationDefaults.AuthenticationScheme, o =>
            {
                o.Cookie.Name = "huddle.auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
                o.ExpireTimeSpan = TimeSpan.FromHours(12);
                o.SlidingExpiration = true;
                o.LoginPath = "/signin";
                o.AccessDeniedPath = "/signin";
                // APIs and the hub answer 401/403; only pages redirect to sign-in.
                o.Events.OnRedirectToLogin = ctx => Deny(ctx, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = ctx => Deny(ctx, StatusCodes.Status403Forbidden);
            })
            .AddBearerToken(BearerTokenDefaults.AuthenticationScheme, o =>
            {
                o.BearerTokenExpiration = TimeSpan.FromHours(12);
                o.Events.OnMessageReceived = ctx =>
                {
                    var token = ctx.Request.Query["access_token"];
                    if (!string.IsNullOrEmpty(token) && ctx.Request.Path.StartsWithSegments("/hubs"))
                    {
                        ctx.Token = token;
                    }

                    return Task.CompletedTask;
                };
            });
        services.AddAuthorization();
        return services;
    }

    /// <summary>POST /signout: ends the browser session.</summary>
    public static void MapSignOut(this IEndpointRouteBuilder app) =>
        app.MapPost("/signout", () => Results.SignOut(new() { RedirectUri = "/signin" }, [CookieAuthenticationDefaults.AuthenticationScheme]));

    /// <summary>
    /// The API and the hub take bearer tokens only; the cookie serves the Blazor pages only. A
    /// browser therefore never sends credentials to /api or /hubs by itself, which is what makes
    /// cross-site request forgery against them impossible.
    /// </summary>
    private static string SelectScheme(HttpContext context) =>
        context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/hubs")
            ? BearerTokenDefaults.AuthenticationScheme
            : CookieAuthenticationDefaults.AuthenticationScheme;

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
