using Huddle.Contracts.CareTeams;

namespace Huddle.Contracts.Boards;

/// <summary>
/// A board as one caller may see it (redacted for a room display), with what the caller may do and
/// the team it belongs to (its name and roster, for owner and attendee names).
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.board-snapshot")]
public sealed record BoardSnapshot(
    [property: Id(0)] HuddleBoard Board,
    [property: Id(1)] TeamAccess Access,
    [property: Id(2)] CareTeamProfile Team);
