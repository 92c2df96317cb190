using Huddle.Contracts.Common;
using Huddle.Contracts.Users;
using Microsoft.AspNetCore.Authorization;

namespace Huddle.Web.Auth;

/// <summary>
/// The administrator policy's own check, at every request and page: the signed-in person is an
/// administrator in Huddle's user record now, not only in the claim their sign-in was given (an
/// administrator another one made a clinician is refused from that request on).
/// </summary>
public sealed class CurrentAdministrator : AuthorizationHandler<CurrentAdministrator>, IAuthorizationRequirement
{
    private readonly IGrainFactory? _grains;

    /// <summary>The requirement, as the policy names it.</summary>
    public CurrentAdministrator()
    {
    }

    /// <summary>The handler, with the grains to ask.</summary>
    public CurrentAdministrator(IGrainFactory grains) => _grains = grains;

    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, CurrentAdministrator requirement)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_grains is not null && context.User.FindFirst(HuddleClaims.UserId)?.Value is { } userId && Contracts.Common.Ids.IsValid(userId)
            && await _grains.Grain<IUserGrain>(userId).GetAsync() is { Kind: UserKind.Administrator })
        {
            context.Succeed(requirement);
        }
    }
}
