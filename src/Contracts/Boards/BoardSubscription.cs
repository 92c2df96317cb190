using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Huddle.Contracts.CareTeams;

namespace Huddle.Contracts.Boards;

/// <summary>
/// The reply to opening (or resuming) a board: the caller's access and the board's version, then
/// either the changes after the version the caller had (<see cref="Changes"/>, in order) or, when it
/// had none or they are no longer kept (<see cref="Reset"/>), the snapshot in <see cref="Board"/>
/// with the team (name and roster) in <see cref="Team"/> for components on the host. The team is not
/// sent to API clients: a large team's roster in every open would cost more than the board itself.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.board-subscription")]
public sealed record BoardSubscription(
    [property: Id(0)] HuddleBoard? Board,
    [property: Id(1)] TeamAccess Access,
    [property: Id(2)] long Version,
    [property: Id(3)] bool Reset,
    [property: Id(4)] ImmutableArray<BoardChange> Changes,
    [property: Id(5), JsonIgnore] CareTeamProfile? Team = null,
    [property: Id(6)] long Epoch = 0,
    [property: Id(7)] bool More = false);
