using System.Security.Claims;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Users;
using Huddle.Web.Auth;
using Huddle.Web.Http;

namespace Huddle.Web.Admin;

/// <summary>Administrators' management of teams, rosters, room displays and users (docs/api.md, "Administration").</summary>
public static class TeamAdminEndpoints
{
    public static void MapTeamAdminEndpoints(this RouteGroupBuilder api)
    {
        var admin = api.MapGroup("/admin").RequireAuthorization(HuddleAuthentication.AdministratorPolicy);

        admin.MapGet("/teams", async (TeamAdminService teams) => Results.Ok(await teams.TeamsAsync()));
        admin.MapGet("/teams/{teamId}", async (string teamId, TeamAdminService teams) =>
            ApiErrors.From(await teams.TeamAsync(teamId), profile => profile));
        admin.MapPut("/teams/{teamId}", (string teamId, TeamSettingsRequest? request, ClaimsPrincipal principal, TeamAdminService teams) =>
            AdministerAsync(teams, principal, teamId, new TeamAdminCommand(TeamAdminOp.Settings, Name: request?.Name, TimeZoneId: request?.TimeZoneId, Status: request?.Status)));
        admin.MapPut("/teams/{teamId}/members/{userId}", (string teamId, string userId, MemberRequest? request, ClaimsPrincipal principal, TeamAdminService teams) =>
            AdministerAsync(teams, principal, teamId, new TeamAdminCommand(TeamAdminOp.SetMember, userId, request?.Role)));
        admin.MapDelete("/teams/{teamId}/members/{userId}", (string teamId, string userId, ClaimsPrincipal principal, TeamAdminService teams) =>
            AdministerAsync(teams, principal, teamId, new TeamAdminCommand(TeamAdminOp.RemoveMember, userId)));
        admin.MapPut("/teams/{teamId}/displays/{userId}", (string teamId, string userId, ClaimsPrincipal principal, TeamAdminService teams) =>
            AdministerAsync(teams, principal, teamId, new TeamAdminCommand(TeamAdminOp.AddDisplay, userId)));
        admin.MapDelete("/teams/{teamId}/displays/{userId}", (string teamId, string userId, ClaimsPrincipal principal, TeamAdminService teams) =>
            AdministerAsync(teams, principal, teamId, new TeamAdminCommand(TeamAdminOp.RemoveDisplay, userId)));

        admin.MapGet("/users/{userId}", async (string userId, TeamAdminService teams) =>
            ApiErrors.From(await teams.UserAsync(userId), user => user));
        admin.MapPut("/users/{userId}", async (string userId, UserRequest? request, ClaimsPrincipal principal, TeamAdminService teams) =>
            request?.Kind is not { } kind
                ? ApiErrors.Problem(HuddleError.Invalid("A user needs a displayName and a kind: clinician, roomDisplay or administrator."))
                : ApiErrors.From(await teams.SaveUserAsync(principal.UserIdOf(), userId, new UserAdminCommand(request.DisplayName ?? "", kind)), user => user));
    }

    private static async Task<IResult> AdministerAsync(TeamAdminService teams, ClaimsPrincipal principal, string teamId, TeamAdminCommand command) =>
        ApiErrors.From(await teams.AdministerAsync(principal.UserIdOf(), teamId, command), profile => profile);
}
