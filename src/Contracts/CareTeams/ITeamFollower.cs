namespace Huddle.Contracts.CareTeams;

/// <summary>
/// A grain keyed by a team id that keeps its own copy of the team's profile (the team's handoff desk,
/// its presence roster), so opening its feed or taking a tell never asks the team's grain. The team's
/// grain tells each follower of every roster change after storing it, and retries until told.
/// </summary>
public interface ITeamFollower : IGrainWithStringKey
{
    /// <summary>The team's profile as just stored: access and the roster follow it from now on.</summary>
    Task TeamChangedAsync(CareTeamProfile profile);
}
