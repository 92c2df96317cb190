using System.Collections.Immutable;
using Huddle.Contracts.Handoffs;

namespace Huddle.Grains.Handoffs;

/// <summary>
/// One day of a team's handoff outcomes as stored (a history page numbered by the team's day of the
/// request): the newest version of each handoff requested that day, in request order.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.handoff-outcome-page")]
public sealed record HandoffOutcomePage([property: Id(0)] ImmutableArray<HandoffOutcome> Outcomes)
{
    /// <summary>The most outcomes one day's page keeps (about 100 bytes each: far below one storage row).</summary>
    public const int MaxOutcomes = 5000;

    public static readonly HandoffOutcomePage Empty = new([]);

    /// <summary>The version of <paramref name="handoffId"/> this page holds, or -1.</summary>
    public long VersionOf(string handoffId) => Outcomes.FirstOrDefault(o => o.HandoffId == handoffId)?.Version ?? -1;

    /// <summary>
    /// This page with <paramref name="outcome"/> taken in, or null when that changes nothing the metrics
    /// count: an outcome not newer than the one held, one that differs only by version (a step the metrics
    /// do not see, e.g. a ping), or a new handoff on a page already full.
    /// </summary>
    public HandoffOutcomePage? With(HandoffOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var index = Outcomes.Select((o, i) => (o, i)).FirstOrDefault(x => x.o.HandoffId == outcome.HandoffId) is { o: not null } found ? found.i : -1;
        if (index < 0)
        {
            return Outcomes.Length >= MaxOutcomes ? null : new([.. Outcomes.Append(outcome).OrderBy(o => o.RequestedAt)]);
        }

        var held = Outcomes[index];
        return held.Version >= outcome.Version || held with { Version = outcome.Version } == outcome ? null : new(Outcomes.SetItem(index, outcome));
    }
}
