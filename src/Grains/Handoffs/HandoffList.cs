using System.Collections.Immutable;
using Huddle.Contracts.Handoffs;

namespace Huddle.Grains.Handoffs;

/// <summary>
/// The handoff summaries an inbox or a team's desk holds, plain C#: one per handoff, the newest version
/// wins (a late or repeated delivery changes nothing), open ones kept, at most
/// a given number of closed ones (the newest).
/// </summary>
public static class HandoffList
{
    /// <summary>
    /// <paramref name="items"/> with <paramref name="item"/> taken in, or null when that changes nothing: it is
    /// not newer than what is held, or it is closed, not held, and would be let go at once.
    /// </summary>
    public static ImmutableArray<HandoffSummary>? Upsert(ImmutableArray<HandoffSummary> items, HandoffSummary item, int keepClosed)
    {
        ArgumentNullException.ThrowIfNull(item);
        var held = items.FirstOrDefault(i => i.HandoffId == item.HandoffId);
        if (held is not null && held.Version >= item.Version)
        {
            return null;
        }

        var next = items.Where(i => i.HandoffId != item.HandoffId).Prepend(item).ToList();
        var closed = next.Where(i => !i.IsOpen).OrderByDescending(i => i.RequestedAt).Skip(keepClosed).ToHashSet();
        if (held is null && closed.Contains(item))
        {
            // A closed handoff this list does not hold and would let go at once (older than every closed
            // one kept; a desk keeps none): the list stays as it is. Without this, a late resend of a
            // handoff the list already let go (an outbox sends again when its acknowledgement was not
            // written before a crash) was written and published as a change no snapshot holds.
            return null;
        }

        return [.. next.Where(i => !closed.Contains(i)).OrderByDescending(i => i.RequestedAt)];
    }
}
