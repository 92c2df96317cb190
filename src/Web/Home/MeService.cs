using Huddle.Contracts.Common;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Users;

namespace Huddle.Web.Home;

/// <summary>Answers "who am I and which teams" for GET /api/me and the home page alike.</summary>
public sealed class MeService(IGrainFactory grains)
{
    /// <summary>Who <paramref name="userId"/> is and the teams they may open; null for an unknown user.</summary>
    public async Task<Me?> MeAsync(string userId)
    {
        if (await grains.Grain<IUserGrain>(userId).GetAsync() is not { } user)
        {
            return null;
        }

        var profiles = await Task.WhenAll(user.TeamIds.Select(id => grains.Grain<ICareTeamGrain>(id).GetProfileAsync()));
        var teams = profiles
            .OfType<CareTeamProfile>()
            .Where(team => team.AccessFor(userId) != TeamAccess.None)
            .Select(team => new MyTeam(team.TeamId, team.Name, team.AccessFor(userId), team.Members.FirstOrDefault(m => m.UserId == userId)?.Role))
            .ToList();
        return new Me(user.UserId, user.DisplayName, user.Kind, user.Role, teams);
    }
}
