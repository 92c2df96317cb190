using System.Collections.Immutable;

namespace Huddle.Grains.Common;

/// <summary>An accepted operation remembered by its caller's op id.</summary>
[GenerateSerializer, Immutable, Alias("huddle.applied-op")]
public sealed record AppliedOperation(
    [property: Id(0)] string ActorId,
    [property: Id(1)] string OpId,
    [property: Id(2)] string Op,
    [property: Id(3)] long Version,
    [property: Id(4)] DateTimeOffset At);

/// <summary>
/// The recent accepted operations of one grain by (actor, op id), persisted in the grain's state in
/// the same write as the change itself: a write that landed but whose reply was lost is found here
/// after the grain reloads, so the caller's retry returns the first result and applies nothing
/// twice. Kept for <see cref="Window"/>, at most <see cref="Capacity"/> entries (oldest forgotten
/// first). Rejected operations are not remembered: they changed nothing, so a retry is simply
/// judged again. Chat and handoffs reuse it.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.operation-log")]
public sealed record OperationLog([property: Id(0)] ImmutableArray<AppliedOperation> Entries)
{
    /// <summary>How long an op id is remembered.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromHours(24);

    /// <summary>The most op ids one grain remembers.</summary>
    public const int Capacity = 256;

    public static readonly OperationLog Empty = new(ImmutableArray<AppliedOperation>.Empty);

    /// <summary>The earlier acceptance of (<paramref name="actorId"/>, <paramref name="opId"/>) still inside the window, or null.</summary>
    public AppliedOperation? Find(string actorId, string opId, DateTimeOffset now)
    {
        foreach (var entry in Entries.IsDefault ? [] : Entries)
        {
            if (entry.OpId == opId && entry.ActorId == actorId && now - entry.At < Window)
            {
                return entry;
            }
        }

        return null;
    }

    /// <summary>This log with <paramref name="entry"/> added and expired or surplus entries dropped.</summary>
    public OperationLog With(AppliedOperation entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var kept = (Entries.IsDefault ? [] : Entries).Where(e => entry.At - e.At < Window).ToList();
        kept.Add(entry);
        return new OperationLog([.. kept.Skip(Math.Max(0, kept.Count - Capacity))]);
    }
}
