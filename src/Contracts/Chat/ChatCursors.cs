using System.Collections.Immutable;

namespace Huddle.Contracts.Chat;

/// <summary>
/// One member's cursors in one thread (docs/api.md, "Receipts and unread counts"): <see cref="Delivered"/>
/// is the newest seq that reached a device of theirs, <see cref="Read"/> the newest seq shown on a
/// screen of theirs (their own sends count as read). Both only move forward; a read seq is also
/// delivered. <see cref="ReadNumber"/> is how many messages (<see cref="ThreadEntryKind.Message"/>
/// entries) the thread holds up to <see cref="Read"/>. The times are when the server took each move.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.member-cursor")]
public sealed record MemberCursor(
    [property: Id(0)] string UserId,
    [property: Id(1)] long Delivered,
    [property: Id(2)] DateTimeOffset? DeliveredAt,
    [property: Id(3)] long Read,
    [property: Id(4)] DateTimeOffset? ReadAt,
    [property: Id(5)] long ReadNumber)
{
    /// <summary>No cursor yet.</summary>
    public static MemberCursor None(string userId) => new(userId, 0, null, 0, null, 0);

    /// <summary>
    /// The newer of each cursor of this and <paramref name="other"/> (same member), with its time:
    /// a late or repeated move changes nothing. Null when nothing moved.
    /// </summary>
    public MemberCursor? Advance(MemberCursor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var (read, readAt, readNumber) = other.Read > Read ? (other.Read, other.ReadAt, other.ReadNumber) : (Read, ReadAt, ReadNumber);
        var (delivered, deliveredAt) = other.Delivered > Delivered ? (other.Delivered, other.DeliveredAt) : (Delivered, DeliveredAt);
        if (read > delivered)
        {
            // What was shown on a screen reached a device.
            (delivered, deliveredAt) = (read, readAt);
        }

        var next = new MemberCursor(UserId, delivered, deliveredAt, read, readAt, readNumber);
        return next == this ? null : next;
    }
}

/// <summary>
/// What a thread tells a member's own grain (their thread list) after new entries: its head
/// (<see cref="Head"/>, with <see cref="HeadNumber"/> messages up to it) and that member's cursors as
/// the thread knows them (their own sends move their read cursor). Told at least once per head;
/// the newest head wins. <see cref="Epoch"/> is the thread's feed epoch, in which its seqs count (0: not
/// known, while the thread has numbered nothing); a head of another epoch than the one a member's grain
/// holds means the thread's numbering started again (its stored state was lost), and replaces what it held.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.thread-head")]
public sealed record ThreadHead(
    [property: Id(0)] ThreadRef Thread,
    [property: Id(1)] long Head,
    [property: Id(2)] long HeadNumber,
    [property: Id(3)] MemberCursor Known,
    [property: Id(4)] long Epoch = 0);

/// <summary>A thread's answer to a member's cursor report it was asked to check: the thread, its head, the message count at the reported read seq, and the epoch they count in (as <see cref="ThreadHead.Epoch"/>).</summary>
[GenerateSerializer, Immutable, Alias("huddle.cursor-check")]
public sealed record CursorCheck(
    [property: Id(0)] ThreadRef Thread,
    [property: Id(1)] long Head,
    [property: Id(2)] long HeadNumber,
    [property: Id(3)] long ReadNumber,
    [property: Id(4)] long Epoch = 0);

/// <summary>The reply to a cursor report: the member's cursors in the thread as now stored, and the thread's unread count for them.</summary>
[GenerateSerializer, Immutable, Alias("huddle.thread-cursors")]
public sealed record ThreadCursors(
    [property: Id(0)] string ThreadId,
    [property: Id(1)] long Delivered,
    [property: Id(2)] long Read,
    [property: Id(3)] long Head,
    [property: Id(4)] long Unread);

/// <summary>
/// One thread in a clinician's unread counts: <see cref="Unread"/> messages by others after their read
/// cursor (<see cref="Read"/>) up to the thread's head as last told (<see cref="Head"/>, at <see cref="At"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.thread-unread")]
public sealed record ThreadUnread(
    [property: Id(0)] ThreadRef Thread,
    [property: Id(1)] long Unread,
    [property: Id(2)] long Head,
    [property: Id(3)] long Read,
    [property: Id(4)] DateTimeOffset At);

/// <summary>
/// A clinician's unread counts as of <see cref="Seq"/> of their feed <c>unread:{userId}</c>: every
/// thread they have a count for (newest activity first) and the <see cref="Total"/>. Two devices at the
/// same seq (and epoch) hold the same counts.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.unread-snapshot")]
public sealed record UnreadSnapshot(
    [property: Id(0)] string UserId,
    [property: Id(1)] long Seq,
    [property: Id(2)] long Total,
    [property: Id(3)] ImmutableArray<ThreadUnread> Threads);

/// <summary>
/// One change of a clinician's unread counts (event <c>UnreadChanged</c>): the threads whose counts
/// changed (replace each by thread id; <see cref="Removed"/> are no longer counted) and the new
/// <see cref="Total"/>. A change with <see cref="Reset"/> carries nothing: re-read.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.unread-change")]
public sealed record UnreadChange(
    [property: Id(0)] string UserId,
    [property: Id(1)] long Seq,
    [property: Id(2)] long Total,
    [property: Id(3)] ImmutableArray<ThreadUnread> Threads,
    [property: Id(4)] ImmutableArray<string> Removed,
    [property: Id(5)] bool Reset = false);

/// <summary>
/// A thread's receipts (feed <c>receipts:{threadId}</c>, event <c>ReceiptsChanged</c>): its members now
/// and each one's cursors. A message at seq s by sender S is delivered to / read by every member other
/// than S whose <see cref="MemberCursor.Delivered"/> / <see cref="MemberCursor.Read"/> is at least s.
/// Every change carries the whole table (bounded by the membership); one with <see cref="Reset"/> carries
/// nothing: re-read.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.thread-receipts")]
public sealed record ThreadReceipts(
    [property: Id(0)] string ThreadId,
    [property: Id(1)] long Seq,
    [property: Id(2)] ImmutableArray<string> Members,
    [property: Id(3)] ImmutableArray<MemberCursor> Cursors,
    [property: Id(4)] bool Reset = false);
