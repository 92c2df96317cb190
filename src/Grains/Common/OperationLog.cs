using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text.Json;

namespace Huddle.Grains.Common;

/// <summary>
/// An accepted operation remembered by its caller's op id, with a hash of its arguments
/// (<see cref="OperationLog.HashOf"/>) so a reuse of the id for different arguments is recognised.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.applied-op")]
public sealed record AppliedOperation(
    [property: Id(0)] string ActorId,
    [property: Id(1)] string OpId,
    [property: Id(2)] string Op,
    [property: Id(3)] long Version,
    [property: Id(4)] DateTimeOffset At,
    [property: Id(5)] string? ArgumentsHash = null)
{
    /// <summary>
    /// True when a command named <paramref name="op"/> whose arguments hash to <paramref name="argumentsHash"/> is
    /// this operation again. An entry stored before hashes were kept has none and matches any arguments
    /// of the same operation (what every retry got before).
    /// </summary>
    public bool IsSameAs(string op, string argumentsHash) => Op == op && (ArgumentsHash is null || ArgumentsHash == argumentsHash);
}

/// <summary>
/// The recent accepted operations of one grain by (actor, op id), persisted in the grain's state in
/// the same write as the change itself: a write that landed but whose reply was lost is found here
/// after the grain reloads, so the caller's retry returns the first result and applies nothing
/// twice. Kept for <see cref="Window"/>, at most <see cref="Capacity"/> entries (oldest forgotten
/// first). Rejected operations are not remembered: they changed nothing, so a retry is simply
/// judged again. An op id used again for another operation or other arguments is refused
/// (<see cref="Huddle.Contracts.Common.ErrorCodes.OpIdReused"/>): answering it with the first
/// result would silently drop the new write. The team's board and handoffs use it.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.operation-log")]
public sealed record OperationLog([property: Id(0)] ImmutableArray<AppliedOperation> Entries)
{
    /// <summary>How long an op id is remembered.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromHours(24);

    /// <summary>The most op ids one grain remembers.</summary>
    public const int Capacity = 256;

    public static readonly OperationLog Empty = new(ImmutableArray<AppliedOperation>.Empty);

    private static readonly JsonSerializerOptions HashJson = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// A short hash of a command's arguments: its JSON (every public property, the op id blanked by the
    /// caller) under SHA-256. The same arguments hash alike in every process and after a restart.
    /// </summary>
    public static string HashOf(object command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var json = JsonSerializer.SerializeToUtf8Bytes(command, command.GetType(), HashJson);
        return Convert.ToHexStringLower(SHA256.HashData(json).AsSpan(0, 16));
    }

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
