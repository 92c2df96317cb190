using Huddle.Silo.Hosting;
using Huddle.Web.Auth;

namespace Huddle.Web.Operations;

/// <summary>
/// The Orleans Dashboard at <see cref="Path"/>, off by default (<c>Huddle:Dashboard:Enabled</c>):
/// grain and silo statistics for administrators only — signed-in users whose id is listed in
/// <c>Huddle:Dashboard:Admins</c> (comma-separated). It shows grain types, counts and timings;
/// grain keys are opaque ids.
/// </summary>
public static class HuddleDashboard
{
    public const string Path = "/admin/dashboard";
    public const string Policy = "huddle-admin";

    /// <summary>Registers the administrators' policy when the dashboard is on.</summary>
    public static void AddHuddleDashboard(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var admins = (builder.Configuration[HuddleConfig.DashboardAdmins] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        builder.Services.AddAuthorizationBuilder().AddPolicy(Policy, p => p.AddAuthenticationSchemes(Microsoft.AspNetCore.Authentication.BearerToken.BearerTokenDefaults.AuthenticationScheme, Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationDefaults.AuthenticationScheme).RequireAuthenticatedUser()
            .RequireAssertion(ctx => ctx.User.FindFirst(HuddleClaims.UserId)?.Value is { } id && admins.Contains(id)));
    }

    /// <summary>Maps the dashboard when it is on.</summary>
    public static void MapHuddleDashboard(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.Configuration.GetValue(HuddleConfig.DashboardEnabled, false))
        {
            Orleans.Dashboard.ServiceCollectionExtensions.MapOrleansDashboard(app, Path).RequireAuthorization(Policy);
        }
    }
}
