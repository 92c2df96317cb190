using System.Collections.Immutable;
using Huddle.Contracts.Chat;
using Huddle.Contracts.Common;
using Huddle.Contracts.Live;
using Huddle.Grains.Live;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Huddle.Grains.Chat;

/// <summary>
/// A thread's part in receipts and unread counts (docs/architecture.md, "Receipts and unread counts").
/// The thread tells each member's own grain (<see cref="IThreadListGrain"/>, the owner of their cursors)
/// its head, coalesced (at most once per <see cref="ChatOptions.CoalesceEvery"/>, the newest head wins),
/// and keeps a copy of each member's cursors, which it publishes as its second feed,
/// <c>receipts:{threadId}</c>, numbered apart from the log. Nothing here adds a write to a send: the
/// message count rides in the send's own write; the copy and the head told are written with the next
/// send, or by a coalesced write of their own.
/// </summary>
public sealed partial class ThreadGrain
{
    /// <summary>How long changed cursors wait before a write of their own (a send writes them sooner).</summary>
    private static readonly TimeSpan CursorWriteAfter = TimeSpan.FromSeconds(2);

    private readonly Dictionary<string, MemberCursor> _cursors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _toldHead = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IThreadListGrain> _lists = new(StringComparer.Ordinal);
    private FeedPublisher? _receipts;
    private Coalescer? _headTells;

    /// <summary>The options' <see cref="ChatOptions.DeliveryLead"/>, read once per activation (a send's page writer arms with it).</summary>
    private TimeSpan _deliveryLead;
    private Coalescer? _receiptsPublish;
    private Coalescer? _cursorWrite;
    private ImmutableHashSet<string>? _receiptsRoster;
    private long _cursorsVersion;
    private long _cursorsWritten;
    private ImmutableArray<MemberCursor>? _sendersCopy;
    private TimeSpan _headRetry = RetryFirst;

    /// <summary>The row's receipts part; a row stored before it existed held messages only, so its count is its seq.</summary>
    private ThreadCursorsState Cursors => state.State.Cursors ??= new ThreadCursorsState { MessageCount = state.State.Seq };

    /// <summary>True when the cursors' copy changed since it was last written by a write of its own.</summary>
    private bool CursorsUnwritten => _cursorsVersion != _cursorsWritten;

    /// <summary>
    /// The receipts feed: its seq is not stored, so each activation numbers it in a new epoch (watchers
    /// re-read once). It keeps no ring of past changes: every change carries the whole table, so a watcher
    /// behind by any change re-reads the snapshot, which is the same answer (as the unread feed does). A
    /// ring would hold 256 tables per thread, a new one about every message, each copied by the young
    /// collections as long as the ring holds it.
    /// </summary>
    private FeedPublisher Receipts => _receipts ??= new FeedPublisher(new FeedId(IThreadGrain.ReceiptsFeed, ThreadId), 0,
        feedOptions.Value.WithBufferSize(0), logger, localHosts: LocalFeedHosts.In(ServiceProvider));

    /// <summary>The members in order for the receipts' table, for the member set they were ordered from.</summary>
    private (ImmutableHashSet<string> Of, ImmutableArray<string> Ordered)? _receiptsOrder;

    private FeedPublisher FeedOf(string kind) => kind == IThreadGrain.ReceiptsFeed ? Receipts : Feed;

    public async Task<Result<CursorCheck>> CheckCursorAsync(string userId, long delivered, long read)
    {
        if (delivered < 0 || read < 0)
        {
            return HuddleError.Invalid("A cursor is a seq of the thread: 0 or more.");
        }

        if (await RefuseAsync(userId) is { } denied)
        {
            return denied;
        }

        var head = _stored.Seq;
        if (Math.Max(delivered, read) > head)
        {
            return HuddleError.Invalid($"Seq {Math.Max(delivered, read)} is ahead of the thread: its newest entry is {head}.");
        }

        return new CursorCheck(RefFor(userId), head, await NumberAtAsync(head), await NumberAtAsync(read), NumberingEpoch);
    }

    public Task TakeCursorAsync(MemberCursor cursor, long epoch)
    {
        ArgumentNullException.ThrowIfNull(cursor);
        // The members as last built (every check, send and publish builds them): the check that cleared
        // this cursor saw a member who joined since the last send or publish too. Cursors counted in a
        // numbering this thread no longer has (told before its stored state was lost) mean nothing here.
        if ((_members is not { } members || members.Contains(cursor.UserId)) && (epoch == 0 || epoch == NumberingEpoch))
        {
            Take(cursor);
        }

        return Task.CompletedTask;
    }

    public async Task<Result<ThreadHead>> HeadForAsync(string userId)
    {
        if (await RefuseAsync(userId) is { } denied)
        {
            return denied;
        }

        var head = _stored.Seq;
        return HeadFor(userId, head, await NumberAtAsync(head));
    }

    private void ActivateCursors()
    {
        var options = Options;
        _deliveryLead = options.DeliveryLead;
        // The message's delivery first: its members' tells and the receipts go DeliveryLead after it.
        _headTells = new Coalescer(this, options.CoalesceEvery, TellHeadsAsync, interleave: true, _deliveryLead);
        _receiptsPublish = new Coalescer(this, options.CoalesceEvery, PublishReceiptsAsync, interleave: true, _deliveryLead);
        // Not interleaving: the row is written by one turn at a time (a send's write is another).
        _cursorWrite = new Coalescer(this, CursorWriteAfter, WriteCursorsAsync, interleave: false);
        foreach (var cursor in Cursors.Members)
        {
            _cursors[cursor.UserId] = cursor;
        }

        if (Cursors.HeadsTold < _stored.Seq)
        {
            // Members' grains may not have heard of the newest messages (the activation ended before the
            // tells were done, or before their record was written): told again, the newest head wins.
            _headTells.Request();
        }
    }

    private void DeactivateCursors()
    {
        _headTells?.Stop();
        _receiptsPublish?.Stop();
        _cursorWrite?.Stop();
    }

    /// <summary>A message entry numbered next among the thread's messages (its number is written with it); an entry of another kind carries none.</summary>
    private ThreadMessage Numbered(ThreadMessage entry) =>
        entry.Kind == ThreadEntryKind.Message ? entry with { Number = Cursors.MessageCount + 1 } : entry;

    /// <summary>After an entry was stored: the sender of a message has read up to it, and every member's grain is to hear of the new head.</summary>
    private void Stored(ThreadMessage sent)
    {
        if (MovesSendersCursor(sent))
        {
            Take(SendersCursor(sent));
        }

        if (_sendersCopy is { } written && Cursors.Members.SequenceEqual(written))
        {
            // The send's write carried the copy as it now is (nothing else moved meanwhile): no write of its own.
            _cursorsWritten = _cursorsVersion;
        }

        _sendersCopy = null;
        _headTells!.Request();
    }

    /// <summary>
    /// Whether storing <paramref name="sent"/> moves its sender's cursors: a message does (one writes it on a
    /// screen that shows the thread). An edit, a delete, an acknowledgement or a request's routing does not:
    /// it can be made from a notification or from far up the history, and messages after the one it is
    /// about may never have been shown to its maker.
    /// </summary>
    private static bool MovesSendersCursor(ThreadMessage sent) => sent.Kind == ThreadEntryKind.Message;

    /// <summary>The sender has read up to their own entry.</summary>
    private MemberCursor SendersCursor(ThreadMessage sent) =>
        new(sent.SenderId, sent.Seq, sent.At, sent.Seq, sent.At, Cursors.MessageCount);

    /// <summary>
    /// Puts the copy with the sender's cursor moved to <paramref name="sent"/> into the row only (not into
    /// the copy in memory that receipts publish from, so nothing shows a read of an entry not stored yet):
    /// the send's own write carries it, and a lone message costs no cursor write of its own 2 s later.
    /// </summary>
    private void WithSendersCursor(ThreadMessage sent)
    {
        if (!MovesSendersCursor(sent))
        {
            return;
        }

        var moved = CursorOf(sent.SenderId).Advance(SendersCursor(sent)) ?? CursorOf(sent.SenderId);
        Cursors.Members = [.. _cursors.Values.Where(c => c.UserId != sent.SenderId).Append(moved).OrderBy(c => c.UserId, StringComparer.Ordinal)];
        _sendersCopy = Cursors.Members;
    }

    /// <summary>The send's write failed: the row's copy is the one in memory again (with whatever moved meanwhile).</summary>
    private void WithoutSendersCursor() => (Cursors.Members, _sendersCopy) = ([.. _cursors.Values.OrderBy(c => c.UserId, StringComparer.Ordinal)], null);

    private MemberCursor CursorOf(string userId) => _cursors.GetValueOrDefault(userId) ?? MemberCursor.None(userId);

    /// <summary>What a member's grain is told (or asks): the head at <paramref name="head"/> with its message number, their cursors as the copy holds them, and the epoch these count in.</summary>
    private ThreadHead HeadFor(string member, long head, long number) => new(RefFor(member), head, number, CursorOf(member), NumberingEpoch);

    /// <summary>
    /// The epoch this thread's seqs count in, as members' grains are told it: the feed's, stored with the
    /// row's first message (a thread's row has held it from its first version), so it changes only when the
    /// row is lost and the thread numbers from 1 again. 0 ("not known") while the thread has numbered
    /// nothing: a thread with no row picks its epoch afresh at each activation until its first write, and an
    /// entry taken in one of those would look like a lost thread at the next.
    /// </summary>
    private long NumberingEpoch => _stored.Seq == 0 ? 0 : Feed.Epoch;

    /// <summary>Takes a member's cursors into the copy when they moved; the receipts go out and the copy is written, both coalesced.</summary>
    private void Take(MemberCursor cursor)
    {
        if (CursorOf(cursor.UserId).Advance(cursor) is not { } moved)
        {
            return;
        }

        _cursors[cursor.UserId] = moved;
        CopyChanged();
    }

    private void CopyChanged()
    {
        Cursors.Members = [.. _cursors.Values.OrderBy(c => c.UserId, StringComparer.Ordinal)];
        _cursorsVersion++;
        _receiptsPublish!.Request();
        _cursorWrite!.Request(CursorWriteAfter);
    }

    /// <summary>Drops former members' cursors: the copy is bounded by the membership.</summary>
    private void KeepMembers(ImmutableHashSet<string> members)
    {
        var gone = _cursors.Keys.Where(u => !members.Contains(u)).ToList();
        foreach (var user in gone)
        {
            _cursors.Remove(user);
            _toldHead.Remove(user);
        }

        // Held for the thread's members only: those who left are dropped (a list is made only when one did).
        List<string>? left = null;
        foreach (var user in _lists.Keys)
        {
            if (!members.Contains(user))
            {
                (left ??= []).Add(user);
            }
        }

        foreach (var user in left ?? [])
        {
            _lists.Remove(user);
        }

        if (gone.Count > 0)
        {
            CopyChanged();
        }
    }

    /// <summary>
    /// The reference to <paramref name="member"/>'s thread list, made once per activation: every message
    /// tells each member's list, and a reference per member per message is garbage (Orleans' reflection
    /// at each <c>GetGrain</c>, which this cache was first made to avoid, is gone for every caller:
    /// <see cref="GrainRefs"/>). Held for the thread's members only (<see cref="KeepMembers"/> drops the
    /// rest at each round of tells).
    /// </summary>
    private IThreadListGrain ListOf(string member)
    {
        if (!_lists.TryGetValue(member, out var list))
        {
            _lists[member] = list = GrainFactory.Grain<IThreadListGrain>(member);
        }

        return list;
    }

    /// <summary>
    /// Tells every member's grain the head (and their cursors as the thread knows them) that it was not
    /// told yet; a member whose grain could not be reached is told again after a backoff.
    /// </summary>
    private async Task TellHeadsAsync()
    {
        var head = _stored.Seq;
        if (head == 0 || await MembersAsync() is not { } members)
        {
            return;
        }

        KeepMembers(members);
        var number = await NumberAtAsync(head);
        var targets = members.Where(m => Math.Max(_toldHead.GetValueOrDefault(m), Cursors.HeadsTold) < head).ToList();
        var told = await Task.WhenAll(targets.Select(async member =>
        {
            try
            {
                var theirs = await ListOf(member).TakeHeadAsync(HeadFor(member, head, number));
                return (member, theirs);
            }
            catch (Exception ex)
            {
                LogHeadFailed(ex, ThreadId, head, member);
                return (member, (MemberCursor?)null);
            }
        }));

        var failed = false;
        foreach (var (member, theirs) in told)
        {
            if (theirs is null)
            {
                failed = true;
                continue;
            }

            _toldHead[member] = Math.Max(_toldHead.GetValueOrDefault(member), head);
            // The member's grain holds the truth: a copy lost with an activation is whole again here.
            if (members.Contains(member))
            {
                Take(theirs with { UserId = member });
            }
        }

        if (failed)
        {
            _headTells!.Request(_headRetry);
            _headRetry = TimeSpan.FromTicks(Math.Min(RetryMax.Ticks, _headRetry.Ticks * 2));
            return;
        }

        _headRetry = RetryFirst;
        // Stored with the row's next write (a send's, or the copy's own): no write for this alone. If it is
        // lost, the next activation tells the same head again, which changes nothing at the members.
        Cursors.HeadsTold = Math.Max(Cursors.HeadsTold, head);
    }

    private async Task PublishReceiptsAsync()
    {
        if (await MembersAsync() is not { } members)
        {
            return;
        }

        KeepMembers(members);
        var seq = Receipts.Seq + 1;
        FeedRoster? roster = null;
        if (_receiptsRoster is null || !_receiptsRoster.SetEquals(members))
        {
            // Hosts drop a former member's watch of the receipts before they relay them.
            (_receiptsRoster, roster) = (members, RosterOf(members));
        }

        Receipts.Publish(seq, [new(FeedAudiences.Members, ReceiptsOf(seq, members))], roster);
    }

    private ThreadReceipts ReceiptsOf(long seq, ImmutableHashSet<string> members)
    {
        if (_receiptsOrder is not { } order || !ReferenceEquals(order.Of, members))
        {
            // One ordered list while the members stay (MembersAsync hands the same set back).
            _receiptsOrder = order = (members, [.. members.Order(StringComparer.Ordinal)]);
        }

        return new(ThreadId, seq, order.Ordered,
            [.. _cursors.Values.Where(c => members.Contains(c.UserId)).OrderBy(c => c.UserId, StringComparer.Ordinal)]);
    }

    private Task<FeedOpen> OpenReceiptsAsync(long? since, long epoch, int limit) =>
        Receipts.OpenAsync(FeedAudiences.Members, since, epoch, limit, async () =>
        {
            var members = await MembersAsync() ?? [];
            return (object)ReceiptsOf(Receipts.Seq, members);
        });

    /// <summary>Writes the row for the cursors' copy when no send wrote it since it changed.</summary>
    private async Task WriteCursorsAsync()
    {
        var version = _cursorsVersion;
        if (!CursorsUnwritten || state.State.Seq != _stored.Seq)
        {
            return;
        }

        try
        {
            await state.WriteStateAsync();
            _cursorsWritten = version;
        }
        catch (Exception ex)
        {
            // A cache of what members' grains hold: a lost write costs receipts until the next head tell.
            LogCursorsFailed(ex, ThreadId);
            _cursorWrite!.Request(RetryMax);
        }
    }

    /// <summary>
    /// How many messages the thread holds up to <paramref name="seq"/>: the <see cref="ThreadMessage.Number"/>
    /// of the newest message at or before it, from the row or (for an old seq) from the one page holding it.
    /// </summary>
    private async Task<long> NumberAtAsync(long seq)
    {
        var (tail, head) = (_stored.Tail, _stored.Seq);
        seq = Math.Min(seq, head);
        for (var i = tail.Length - 1; i >= 0; i--)
        {
            if (tail[i].Seq <= seq && tail[i].Kind == ThreadEntryKind.Message)
            {
                return NumberOf(tail[i]);
            }
        }

        // Pages the retention removed hold no numbers: the search stops at the cut (a read before it counts as none).
        var before = tail.IsEmpty ? seq : Math.Min(seq, tail[0].Seq - 1);
        for (var page = (before - 1) / PageSize; before > _removedThrough && page >= _removedThrough / PageSize; page--)
        {
            var found = 0L;
            await foreach (var stored in history.ReadPagesAsync<MessagePage>(this.GetGrainId(), MessagesStream, page, page))
            {
                foreach (var m in stored.Content.Messages)
                {
                    if (m.Seq <= before && m.Kind == ThreadEntryKind.Message)
                    {
                        found = NumberOf(m);
                    }
                }
            }

            if (found > 0)
            {
                return found;
            }
        }

        return 0;
    }

    /// <summary>A message's number; one stored before numbers existed is numbered by its seq (every entry then was a message).</summary>
    private static long NumberOf(ThreadMessage message) => message.Number > 0 ? message.Number : message.Seq;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Thread {ThreadId} could not tell head {Head} to {UserId}; retrying")]
    private partial void LogHeadFailed(Exception ex, string threadId, long head, string userId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Thread {ThreadId} could not write its members' cursors; retrying")]
    private partial void LogCursorsFailed(Exception ex, string threadId);
}
