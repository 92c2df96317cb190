using System.Collections.Immutable;

namespace Huddle.Contracts.CareTeams;

/// <summary>
/// The list of a deployment's care teams, for administrators (one grain, key <see cref="Key"/>): each
/// team's grain tells it of the team's name and status after every change of its profile, and retries
/// until told. Bounded by <see cref="MaxTeams"/>; written only when a team is created, renamed or
/// changes status.
/// </summary>
public interface ITeamDirectoryGrain : IGrainWithStringKey
{
    const string Key = "all";

    /// <summary>The most teams one deployment lists.</summary>
    const int MaxTeams = 2000;

    /// <summary>A team's grain: its name and status as just stored.</summary>
    Task TeamChangedAsync(TeamListing team);

    /// <summary>Every team, by name.</summary>
    [AlwaysInterleave]
    Task<ImmutableArray<TeamListing>> ListAsync();

    /// <summary>How many teams are listed.</summary>
    [AlwaysInterleave]
    Task<int> CountAsync();
}

/// <summary>One team in the directory.</summary>
[GenerateSerializer, Immutable, Alias("huddle.team-listing")]
public sealed record TeamListing(
    [property: Id(0)] string TeamId,
    [property: Id(1)] string Name,
    [property: Id(2)] CareTeamStatus Status,
    [property: Id(3)] int Members,
    [property: Id(4)] int Displays)
{
    /// <summary>The listing of <paramref name="profile"/>.</summary>
    public static TeamListing Of(CareTeamProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return new(profile.TeamId, profile.Name, profile.Status, profile.Members.Length, profile.DisplayIds.Length);
    }
}
