using System.Collections.Immutable;
using Huddle.Contracts.Chat;

namespace Huddle.Grains.Chat;

/// <summary>
/// What a thread's row holds for receipts and unread counts (docs/architecture.md, "Receipts and unread
/// counts"): how many messages it holds, the head every member's own grain was told, and its copy of each
/// member's cursors. Bounded by the membership; never in its messages.
/// </summary>
[GenerateSerializer, Alias("huddle.thread-cursors-state")]
public sealed class ThreadCursorsState
{
    /// <summary>How many <see cref="ThreadEntryKind.Message"/> entries the thread holds: the newest message's <see cref="ThreadMessage.Number"/>. Written with each send.</summary>
    [Id(0)]
    public long MessageCount { get; set; }

    /// <summary>Every member's grain was told the head up to this seq; a newer head is told again on activation.</summary>
    [Id(1)]
    public long HeadsTold { get; set; }

    /// <summary>The thread's copy of its members' cursors (one each, former members pruned).</summary>
    [Id(2)]
    public ImmutableArray<MemberCursor> Members { get; set; } = [];
}
