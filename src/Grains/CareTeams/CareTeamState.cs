using Huddle.Contracts.Boards;
using Huddle.Contracts.CareTeams;
using Huddle.Grains.Common;

namespace Huddle.Grains.CareTeams;

/// <summary>A care team's persisted state: its profile, today's board and its recent op ids.</summary>
[GenerateSerializer, Alias("huddle.team-state")]
public sealed class CareTeamState
{
    [Id(0)]
    public CareTeamProfile? Profile { get; set; }

    [Id(1)]
    public HuddleBoard? Board { get; set; }

    // Id 2 held the panel's patient ids before the panel got a grain of its own (IPanelGrain).

    /// <summary>Accepted operations by op id, written with the change they made.</summary>
    [Id(3)]
    public OperationLog Operations { get; set; } = OperationLog.Empty;

    /// <summary>
    /// The feed's epoch, stored with its seq: a new activation continues the same numbering, and a
    /// lost state (which loses this too) starts a new one. Id 20 keeps clear of the fields before it.
    /// </summary>
    [Id(20)]
    public long FeedEpoch { get; set; }

    /// <summary>
    /// Written with a profile change: the users it moved (put on or taken off the roster or the
    /// displays), and <see cref="Untold"/>, so a team re-activated before it told its followers and
    /// those users (its silo died) tells them then. Cleared once told: bounded by two rosters.
    /// </summary>
    [Id(21)]
    public System.Collections.Immutable.ImmutableArray<string> UsersMoved { get; set; } = [];

    /// <summary>True from a profile change's write until its followers and moved users were told.</summary>
    [Id(22)]
    public bool Untold { get; set; }
}
