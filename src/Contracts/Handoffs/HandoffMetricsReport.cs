using System.Collections.Immutable;

namespace Huddle.Contracts.Handoffs;

/// <summary>
/// A team's warm-handoff metrics over the days <see cref="From"/> to <see cref="To"/> (inclusive, the
/// team's time zone), over the handoffs requested in them. Rates are shares from 0 to 1, null when
/// nothing counts towards them (docs/clinical.md defines each).
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.handoff-metrics")]
public sealed record HandoffMetricsReport(
    [property: Id(0)] string TeamId,
    [property: Id(1)] DateOnly From,
    [property: Id(2)] DateOnly To,
    [property: Id(3)] int Requested,
    [property: Id(4)] int StillOpen,
    [property: Id(5)] DurationStats TimeToAccept,
    [property: Id(6)] DurationStats TimeToJoin,
    [property: Id(7)] double? CompletionRate,
    [property: Id(8)] double? EscalationRate,
    [property: Id(9)] double? FallbackToReferralRate,
    [property: Id(10)] double? ReferralAttendance,
    [property: Id(11)] ImmutableArray<HandoffDay> Days);
