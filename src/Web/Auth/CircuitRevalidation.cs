using Huddle.Contracts.Common;
using System.Security.Claims;
using Huddle.Contracts.Users;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;

namespace Huddle.Web.Auth;

/// <summary>
/// A live page (Blazor circuit) asks again, every <c>Huddle:Security:RevalidateEvery</c> (1 minute by
/// default), whether its person may still be signed in: their Huddle user still exists with the same
/// kind, and the session has not been signed out (in another tab or window, or at the provider). If
/// not, the page's user becomes nobody (every component shows nothing, the layout sends the browser to
/// sign in). ASP.NET Core keeps a circuit's user as it was at connect time otherwise. What a person
/// may see of teams and patients is asked at every call and feed (docs/security.md); this covers who
/// the person is.
/// </summary>
public sealed class CircuitRevalidation(ILoggerFactory loggers, IGrainFactory grains, RevalidationOptions options)
    : RevalidatingServerAuthenticationStateProvider(loggers)
{
    protected override TimeSpan RevalidationInterval => options.Every;

    protected override Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(authenticationState);
        return StillValidAsync(authenticationState.User, grains);
    }

    /// <summary>True while <paramref name="user"/> (signed in) is a Huddle user of the same kind whose provider session has not ended.</summary>
    public static async Task<bool> StillValidAsync(ClaimsPrincipal user, IGrainFactory grains)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(grains);
        if (user.Identity?.IsAuthenticated != true)
        {
            return true;
        }

        // A widget's session lasts as its EHR launch allows, and ends when ended.
        if (Smart.WidgetAuthentication.SessionOf(user) is { } widget
            && await grains.Grain<Contracts.Smart.IWidgetSessionGrain>(widget).GetAsync() is null)
        {
            return false;
        }

        if (user.FindFirst(HuddleClaims.UserId)?.Value is not { } userId || !Contracts.Common.Ids.IsValid(userId)
            || await grains.Grain<IUserGrain>(userId).GetAsync() is not { } profile
            || profile.Kind.ToString() != user.FindFirst(HuddleClaims.Kind)?.Value)
        {
            return false;
        }

        // A page of a browser session signed out in another tab or window.
        if (HuddleClaims.BrowserSessionOf(user) is not null && await HuddleAuthentication.BrowserSessionEndedAsync(user, grains))
        {
            return false;
        }

        return !await OidcSignIn.EndedAsync(user, grains);
    }
}
