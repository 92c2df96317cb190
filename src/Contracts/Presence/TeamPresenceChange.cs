namespace Huddle.Contracts.Presence;

/// <summary>
/// One change of a team's presence roster (<c>presence:{teamId}</c>, event <c>TeamPresenceChanged</c>):
/// a member's presence as it now is. A change with <see cref="Reset"/> carries no member: re-read.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.team-presence-change")]
public sealed record TeamPresenceChange(
    [property: Id(0)] string TeamId,
    [property: Id(1)] long Seq,
    [property: Id(2)] PresenceView? Member,
    [property: Id(3)] DateTimeOffset At,
    [property: Id(4)] bool Reset = false);
