namespace Huddle.Contracts.Handoffs;

/// <summary>One day of a team's warm handoffs, in the team's time zone (for the metrics page's charts).</summary>
[GenerateSerializer, Immutable, Alias("huddle.handoff-day")]
public sealed record HandoffDay(
    [property: Id(0)] DateOnly Day,
    [property: Id(1)] int Requested,
    [property: Id(2)] int Completed,
    [property: Id(3)] int Escalated,
    [property: Id(4)] int FellBackToReferral,
    [property: Id(5)] double? MedianSecondsToAccept);
