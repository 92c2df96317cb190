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

    private static string SelectScheme(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            || context.Request.Path.StartsWithSegments("/hubs") && context.Request.Query.ContainsKey("access_token"))
        {
            return BearerTokenDefaults.AuthenticationScheme;
        }

        return CookieAuthenticationDefaults.AuthenticationScheme;
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
