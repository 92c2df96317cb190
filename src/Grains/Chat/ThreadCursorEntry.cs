using Huddle.Contracts.Chat;

namespace Huddle.Grains.Chat;

/// <summary>
/// A clinician's cursors in one thread, as their own grain stores them: the thread's head as last told
/// (<see cref="Head"/>, with <see cref="HeadNumber"/> messages up to it, at <see cref="At"/>) and their
/// delivered and read cursors. Their unread count is a function of these alone.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.thread-cursor-entry")]
public sealed record ThreadCursorEntry(
    [property: Id(0)] ThreadRef Thread,
    [property: Id(1)] long Head,
    [property: Id(2)] long HeadNumber,
    [property: Id(3)] MemberCursor Cursor,
    [property: Id(4)] DateTimeOffset At)
{
    /// <summary>Messages by others after the read cursor: messages up to the head less messages up to the read cursor (their own sends move it past their messages).</summary>
    public long Unread => Head > Cursor.Read ? Math.Max(0, HeadNumber - Cursor.ReadNumber) : 0;

    /// <summary>This thread's line in the unread counts.</summary>
    public ThreadUnread ToUnread() => new(Thread, Unread, Head, Cursor.Read, At);
}
