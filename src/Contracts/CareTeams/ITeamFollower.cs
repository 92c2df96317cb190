namespace Huddle.Contracts.CareTeams;

/// <summary>
/// A grain that keeps its own copy of the team's profile (the team's handoff desk and presence roster,
/// keyed by the team id; the team's chat thread, keyed <c>tm.{teamId}</c>), so opening its feed or
/// taking a tell never asks the team's grain; and each user the change put on or took off the team
/// (keyed by the user id: their list of teams). The team's grain tells each follower of every roster
/// change after storing it, and retries until told.
/// </summary>
public interface ITeamFollower : IGrainWithStringKey
{
    /// <summary>The team's profile as just stored: access and the roster follow it from now on.</summary>
    Task TeamChangedAsync(CareTeamProfile profile);
}
