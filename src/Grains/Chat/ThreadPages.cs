using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using Huddle.Contracts.Chat;

namespace Huddle.Grains.Chat;

/// <summary>
/// One full page of a thread's messages in the history store (stream <c>messages</c>): page n holds
/// seqs n·<see cref="ThreadGrain.PageSize"/>+1 to (n+1)·<see cref="ThreadGrain.PageSize"/>, in order.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.message-page")]
public sealed record MessagePage([property: Id(0)] ImmutableArray<ThreadMessage> Messages);

/// <summary>
/// The client message ids of a thread that share one key (stream <c>client-id</c>, page =
/// <see cref="ClientIds.KeyOf"/>): almost always one entry, the stored message with that (sender,
/// client id); two only when their 63-bit keys collide within one page. Rows from before keyed ids
/// (stream <c>client-ids</c>, page = <see cref="ClientIds.BucketOf"/>) hold every id of a hash bucket.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.client-id-bucket")]
public sealed record ClientIdBucket([property: Id(0)] ImmutableArray<ClientIdEntry> Entries);

/// <summary>A stored message as a resend needs it: who sent it with which id, its seq, a hash of its content, when.</summary>
[GenerateSerializer, Immutable, Alias("huddle.client-id-entry")]
public sealed record ClientIdEntry(
    [property: Id(0)] string SenderId,
    [property: Id(1)] string ClientMessageId,
    [property: Id(2)] long Seq,
    [property: Id(3)] string ContentHash,
    [property: Id(4)] DateTimeOffset At);

/// <summary>The hashes a thread keys its client ids by.</summary>
public static class ClientIds
{
    /// <summary>How many buckets a thread's client ids were spread over before they were keyed one by one.</summary>
    public const int Buckets = 1024;

    /// <summary>
    /// The key of (<paramref name="senderId"/>, <paramref name="clientMessageId"/>): 63 bits of its
    /// SHA-256, stable across processes and restarts. Each id is its own row, so a page of messages
    /// stores its ids in one batch with no read, and a resend reads one row. Two ids share a key with
    /// odds of about n²/2⁶⁴ for n ids in a thread (below one in ten million at a million messages);
    /// the later then hides the earlier, whose resend would be stored as a new message.
    /// </summary>
    public static long KeyOf(string senderId, string clientMessageId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(senderId + "\n" + clientMessageId));
        return BitConverter.ToInt64(hash, 0) & long.MaxValue;
    }

    /// <summary>The bucket of (<paramref name="senderId"/>, <paramref name="clientMessageId"/>): stable across processes and restarts.</summary>
    public static int BucketOf(string senderId, string clientMessageId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(senderId + "\n" + clientMessageId));
        return (int)(BitConverter.ToUInt32(hash, 0) % Buckets);
    }

    /// <summary>A short hash of what a message says, to tell a resend from a reuse of its id for other content.</summary>
    public static string ContentHashOf(string text, MessagePriority priority) => Hash(priority + "\n" + text);

    /// <summary>The hash of what <paramref name="message"/> asks to store (its text, priority and asks).</summary>
    public static string ContentHashOf(SendMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var asks = AskKey(message.AckRequested, message.Mentions ?? [], message.RoleMentions ?? [], message.ToRole);
        // A message without asks hashes as messages always did, so ids stored before asks existed still match.
        return asks.Length == 0 ? ContentHashOf(message.Text, message.Priority) : Hash(message.Priority + "\n" + message.Text + "\n" + asks);
    }

    /// <summary>The hash of an acknowledgement of the message at <paramref name="seq"/>.</summary>
    public static string AckHashOf(long seq) => Hash(FormattableString.Invariant($"ack\n{seq}"));

    /// <summary>A message's asks in one canonical string (empty when it asks nothing): duplicates dropped, order kept.</summary>
    public static string AskKey(bool ackRequested, IEnumerable<string> mentions, IEnumerable<RoleOnTeam> roles, RoleOnTeam? toRole)
    {
        var people = string.Join(",", mentions.Distinct(StringComparer.Ordinal));
        var named = string.Join(",", roles.Distinct().Select(r => $"{r.Role}@{r.TeamId}"));
        var to = toRole is null ? "" : $"{toRole.Role}@{toRole.TeamId}";
        return !ackRequested && people.Length == 0 && named.Length == 0 && to.Length == 0 ? "" : $"ack={ackRequested};m={people};r={named};to={to}";
    }

    /// <summary>The content hash of an edit of the message at <paramref name="refers"/> to <paramref name="text"/>.</summary>
    public static string EditHashOf(long refers, string text) => Hash(FormattableString.Invariant($"edit\n{refers}\n{text}"));

    /// <summary>The content hash of a delete of the message at <paramref name="refers"/>.</summary>
    public static string DeleteHashOf(long refers) => Hash(FormattableString.Invariant($"delete\n{refers}"));

    /// <summary>The content hash of a stored entry of any kind, equal to the hash of the request that stored it.</summary>
    public static string ContentHashOf(ThreadMessage entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry.Kind switch
        {
            ThreadEntryKind.Message when entry.Ask is { } ask && AskKey(ask.AckRequested, ask.Mentions, ask.RoleMentions, ask.ToRole) is { Length: > 0 } asks =>
                Hash(entry.Priority + "\n" + entry.Text + "\n" + asks),
            ThreadEntryKind.Message => ContentHashOf(entry.Text, entry.Priority),
            ThreadEntryKind.Edit => EditHashOf(entry.Refers, entry.Text),
            ThreadEntryKind.Delete => DeleteHashOf(entry.Refers),
            ThreadEntryKind.Acknowledge => AckHashOf(entry.Refers),
            _ => Hash(FormattableString.Invariant($"{(int)entry.Kind}\n{entry.Refers}\n{entry.Priority}\n{entry.Text}")),
        };
    }

    private static string Hash(string content) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)).AsSpan(0, 16));
}
