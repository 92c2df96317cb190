using System.Collections.Immutable;
using Huddle.Contracts.Chat;

namespace Huddle.Grains.Chat;

/// <summary>
/// A thread's persisted row: its seq and epoch, the messages not yet in history pages (<see cref="Tail"/>:
/// at most <see cref="ThreadGrain.MaxTail"/>, as a rule fewer than a page) and, for a direct thread, its
/// two clinicians. Nothing in it grows with the thread.
/// </summary>
[GenerateSerializer, Alias("huddle.thread-state")]
public sealed class ThreadState
{
    /// <summary>The seq of the newest message: the thread feed's seq.</summary>
    [Id(0)]
    public long Seq { get; set; }

    /// <summary>The feed's epoch, stored with its seq (as every owner whose seq is stored does).</summary>
    [Id(1)]
    public long FeedEpoch { get; set; }

    /// <summary>
    /// The newest messages, oldest first, gap-free up to <see cref="Seq"/>: those after <see cref="Written"/>
    /// (a stored page leaves with the next write). Older ones are in message pages.
    /// </summary>
    [Id(2)]
    public ImmutableArray<ThreadMessage> Tail { get; set; } = [];

    /// <summary>Message pages (and their client ids) are stored up to this seq, a multiple of the page size.</summary>
    [Id(3)]
    public long Written { get; set; }

    /// <summary>A direct thread's two clinicians (sorted); empty for other kinds, or before it was started.</summary>
    [Id(4)]
    public ImmutableArray<string> Members { get; set; } = [];

    /// <summary>
    /// True once client ids leaving the row are stored one row each (stream <c>client-id</c>); false in a
    /// row from before, whose ids up to <see cref="LegacyIdsThrough"/> are in hash buckets.
    /// </summary>
    [Id(5)]
    public bool IdsKeyed { get; set; }

    /// <summary>Client ids of seqs up to this one are in the old hash buckets (stream <c>client-ids</c>); 0: none.</summary>
    [Id(6)]
    public long LegacyIdsThrough { get; set; }

    /// <summary>
    /// Per sender, the greatest client id (in ordinal order) of any entry they stored in the thread
    /// (<see cref="ThreadGrain"/>, "id marks"): an id sorting after it was never theirs here. At most
    /// <see cref="ThreadGrain.MaxIdMarks"/> senders.
    /// </summary>
    public ImmutableDictionary<string, string> IdMarks
    {
        get => _idMarks ?? ImmutableDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);
        set => _idMarks = value;
    }

    /// <summary>
    /// True when every sender who ever stored an entry has a mark in <see cref="IdMarks"/> (a thread begun
    /// with marks, whose senders never exceeded the bound): a sender without one never sent here.
    /// </summary>
    [Id(8)]
    public bool IdMarksComplete { get; set; }

    [Id(7)]
    private ImmutableDictionary<string, string>? _idMarks;

    /// <summary>
    /// Receipts and unread counts: the message count, the head told to members, the members' cursors
    /// (<see cref="ThreadCursorsState"/>). Null in a row stored before they existed.
    /// </summary>
    [Id(20)]
    public ThreadCursorsState? Cursors { get; set; }

    /// <summary>
    /// True once an edit or a delete was stored: only then can a message read from a page have entries
    /// acting on it (stream <c>amends</c>), so a thread never edited reads no amendment pages.
    /// </summary>
    [Id(15)]
    public bool Amended { get; set; }

    /// <summary>The deployment's retention removed every entry up to this seq (a multiple of the page size; 0: none).</summary>
    [Id(16)]
    public long RemovedThrough { get; set; }

    // Acknowledgement requests and the notifications owed (ThreadGrain.Acks.cs). Ids from 30 keep clear of
    // the fields other parts of chat add. The fields are what is serialized: a row stored before they
    // existed reads back default arrays, which the properties turn into empty ones.
    [Id(30)]
    private ImmutableArray<AckRequest> _ackRequests = [];

    [Id(31)]
    private ImmutableArray<OwedNotice> _noticeOutbox = [];

    /// <summary>
    /// The thread's acknowledgement requests: every open one (at most <see cref="AckLimits.MaxOpen"/>) and
    /// the newest closed ones (at most <see cref="AckLimits.KeepClosed"/>); older closed ones leave the row.
    /// </summary>
    public ImmutableArray<AckRequest> AckRequests
    {
        get => _ackRequests.IsDefault ? [] : _ackRequests;
        set => _ackRequests = value;
    }

    /// <summary>Chat notifications owed to inboxes, written with the change that owes them and removed once delivered.</summary>
    public ImmutableArray<OwedNotice> NoticeOutbox
    {
        get => _noticeOutbox.IsDefault ? [] : _noticeOutbox;
        set => _noticeOutbox = value;
    }
}
