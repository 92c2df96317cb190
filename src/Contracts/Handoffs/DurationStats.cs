namespace Huddle.Contracts.Handoffs;

/// <summary>How long something took over a set of handoffs: how many had it, the median and the 90th percentile, in seconds.</summary>
[GenerateSerializer, Immutable, Alias("huddle.duration-stats")]
public sealed record DurationStats(
    [property: Id(0)] int Count,
    [property: Id(1)] double? MedianSeconds,
    [property: Id(2)] double? P90Seconds);
