namespace Huddle.Contracts.Handoffs;

/// <summary>
/// What the metrics need of one handoff, kept by the team's desk for 31 days: when it was asked
/// for, first accepted and first joined, where it ended, whether it escalated, and its referral.
/// No patient data.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.handoff-outcome")]
public sealed record HandoffOutcome(
    [property: Id(0)] string HandoffId,
    [property: Id(1)] DateTimeOffset RequestedAt,
    [property: Id(2)] DateTimeOffset? AcceptedAt,
    [property: Id(3)] DateTimeOffset? JoinedAt,
    [property: Id(4)] HandoffStatus Status,
    [property: Id(5)] bool Escalated,
    [property: Id(6)] ReferralStatus? Referral,
    [property: Id(7)] long Version);
