using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Chat;
using Huddle.Grains.CareTeams;

namespace Huddle.Grains.Chat;

/// <summary>
/// A team's thread follows its team's roster (<see cref="ITeamFollower"/>), as the team's desk and
/// presence roster do: the team's grain tells it every roster change right after storing it (before the
/// change's caller gets its reply), so its membership check reads its own copy and opening the board
/// page's team chat costs the team's grain nothing.
/// </summary>
public sealed partial class ThreadGrain
{
    private TeamProfileCopy? _teamCopy;

    /// <summary>The team's profile as its grain just stored it; ignored by threads other than that team's.</summary>
    public Task TeamChangedAsync(CareTeamProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        if (Subject is { Kind: ThreadKind.Team } about && about.SubjectId == profile.TeamId)
        {
            TeamCopy(profile.TeamId).Take(profile);
        }

        return Task.CompletedTask;
    }

    /// <summary>The clinicians of a team thread's team: from the copy the team's grain keeps told (read once per activation, and after <see cref="TeamProfileCopy.KeepFor"/> without a tell).</summary>
    private async Task<CareTeamProfile?[]> TeamProfileAsync(string teamId) => [await TeamCopy(teamId).GetAsync()];

    private TeamProfileCopy TeamCopy(string teamId) => _teamCopy ??= new TeamProfileCopy(GrainFactory, teamId);
}
