using Huddle.Contracts.Chat;

namespace Huddle.Grains.Chat;

/// <summary>
/// A clinician's cursors in one thread, as their own grain stores them: the thread's head as last told
/// (<see cref="Head"/>, with <see cref="HeadNumber"/> messages up to it, at <see cref="At"/>) and their
/// delivered and read cursors, all counted in the thread's <see cref="Epoch"/> (<see cref="ThreadHead.Epoch"/>;
/// 0: not known yet, as in a row stored before it was). Their unread count is a function of these alone.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.thread-cursor-entry")]
public sealed record ThreadCursorEntry(
    [property: Id(0)] ThreadRef Thread,
    [property: Id(1)] long Head,
    [property: Id(2)] long HeadNumber,
    [property: Id(3)] MemberCursor Cursor,
    [property: Id(4)] DateTimeOffset At,
    [property: Id(5)] long Epoch = 0)
{
    /// <summary>
    /// True when <paramref name="epoch"/> is another numbering than this entry's: the thread's stored state
    /// was lost and it numbers again from 1, so this entry's head and cursors mean nothing there. Never when
    /// either is not known (0).
    /// </summary>
    public bool OfAnotherEpoch(long epoch) => epoch != 0 && Epoch != 0 && epoch != Epoch;

    /// <summary>Messages by others after the read cursor: messages up to the head less messages up to the read cursor (their own sends move it past their messages).</summary>
    public long Unread => Head > Cursor.Read ? Math.Max(0, HeadNumber - Cursor.ReadNumber) : 0;

    /// <summary>This thread's line in the unread counts.</summary>
    public ThreadUnread ToUnread() => new(Thread, Unread, Head, Cursor.Read, At);
}
