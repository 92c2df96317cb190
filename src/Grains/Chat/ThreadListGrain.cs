using System.Collections.Immutable;
using Huddle.Contracts.Chat;
using Huddle.Contracts.Common;
using Huddle.Contracts.Live;
using Huddle.Grains.Common;
using Huddle.Grains.Live;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Serialization.Invocation;

namespace Huddle.Grains.Chat;

/// <summary>
/// A clinician's own chat grain (key: the user id): their thread list, and the owner of their cursors
/// and unread counts (docs/architecture.md, "Receipts and unread counts").
/// <para>
/// Per thread it stores the head as the thread last told it and the clinician's delivered and read
/// cursors (<see cref="ThreadCursorEntry"/>); a count is a function of those alone, held by this one
/// grain, and published as the feed <c>unread:{userId}</c> at most once per
/// <see cref="ChatOptions.CoalesceEvery"/>, so every device at the same seq shows the same counts and a
/// burst of messages costs a few publishes, not one per message. The feed's seq is not stored (each
/// activation numbers it in a new epoch, and watchers re-read once); the cursors are, before any reply
/// or publish that shows them. The thread list is written only when a thread is new to it.
/// </para>
/// <para>
/// A head is the thread's, so it can be asked again: a head-only move is not written per tell. The
/// first one of a thread stores the row with the thread marked moving (<see cref="ThreadListState.Moving"/>);
/// later ones of a marked thread stay in memory, and ride the row's next write (every write stores every
/// entry as held). A write drops the mark of each thread whose read cursor reached its head. An activation
/// asks each marked thread its head (<see cref="IThreadGrain.HeadForAsync"/>), a few at a time off its
/// first calls, so a head lost with an activation comes back without another message.
/// </para>
/// </summary>
[MayInterleave(nameof(IsRead))]
public sealed partial class ThreadListGrain(
    [PersistentState(StorageNames.ThreadListState, StorageNames.Huddle)] IPersistentState<ThreadListState> state,
    HuddleClock clock,
    IOptions<FeedOptions> feedOptions,
    IOptions<ChatOptions> chatOptions,
    ILogger<ThreadListGrain> logger) : Grain, IThreadListGrain
{
    /// <summary>
    /// The most threads a clinician has cursors in. Past it the thread quiet the longest is dropped from
    /// the counts; when it is told a head again its cursors come back from the thread's copy.
    /// </summary>
    public const int MaxCursors = 500;

    /// <summary>How many marked threads an activation asks their heads at once (one turn each round).</summary>
    private const int AskAtOnce = 8;

    private static readonly TimeSpan RetryFirst = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RetryMax = TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, ThreadCursorEntry> _entries = new(StringComparer.Ordinal);
    // Each thread's entry as last published (its count as published is the entry's: entries are immutable),
    // not a ThreadUnread copy of it: one object fewer per member and message for the young collections to copy.
    private readonly Dictionary<string, ThreadCursorEntry> _published = new(StringComparer.Ordinal);
    private readonly HashSet<string> _dirty = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (MemberCursor Cursor, long Epoch)> _owed = new(StringComparer.Ordinal);
    // The threads marked moving, as the row last written holds them (or fewer: a refused ask drops one early).
    private readonly HashSet<string> _marked = new(StringComparer.Ordinal);
    // Marked threads this activation has not had an answer from yet, and those whose last ask failed.
    private readonly HashSet<string> _toAsk = new(StringComparer.Ordinal);
    private readonly HashSet<string> _askFailed = new(StringComparer.Ordinal);
    private FeedPublisher? _feed;
    private Coalescer? _publish;
    private Coalescer? _tells;
    private Coalescer? _asks;
    private TimeSpan _retry = RetryFirst;
    private TimeSpan _askRetry = RetryFirst;

    private string Key => this.GetPrimaryKeyString();

    /// <summary>
    /// The unread feed; its seq is not stored, so each activation is a new epoch. It keeps no ring of past
    /// changes: counts are state (a change carries each changed thread's new count, and the snapshot is the
    /// counts now, no bigger than a few changes), so a watcher behind by any change re-reads the snapshot,
    /// which is the same answer. A ring would hold up to 256 changes per clinician for nothing, each
    /// outliving the young-generation collections and copied by them: on the chat bench (25 members a
    /// message) those rings held 22,700 of the 26,000 feed changes alive in the server, with their
    /// arrays and counts (docs/performance.md, "Chat in memory with 90-second rounds", 2026-12-06).
    /// </summary>
    private FeedPublisher Feed => _feed ??= new FeedPublisher(new FeedId(IThreadListGrain.UnreadFeed, Key), 0,
        feedOptions.Value.WithBufferSize(0), logger, localHosts: LocalFeedHosts.In(ServiceProvider));

    /// <summary>The calls that only read: they interleave.</summary>
    public static bool IsRead(IInvokable request) =>
        request?.GetMethodName() is nameof(IFeedGrain.OpenAsync) or nameof(IFeedGrain.ReadSinceAsync) or nameof(IFeedGrain.SubscribeAsync)
            or nameof(IFeedGrain.UnsubscribeAsync);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _ = Feed;
        foreach (var entry in state.State.Cursors)
        {
            _entries[entry.Thread.ThreadId] = entry;
            _published[entry.Thread.ThreadId] = entry;
        }

        foreach (var threadId in state.State.Moving.Where(_entries.ContainsKey))
        {
            _marked.Add(threadId);
            _toAsk.Add(threadId);
        }

        _publish = new Coalescer(this, chatOptions.Value.CoalesceEvery, PublishAsync, interleave: false);
        _tells = new Coalescer(this, RetryFirst, TellOwedAsync, interleave: false);
        // Not interleaving: an answer may move a cursor, which is written like any other (one write at a time).
        _asks = new Coalescer(this, TimeSpan.Zero, AskHeadsAsync, interleave: false);
        if (_toAsk.Count > 0)
        {
            // A marked thread's head may have been held in memory only: the stored counts show until the answers.
            _asks.Request();
        }

        return base.OnActivateAsync(cancellationToken);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _publish?.Stop();
        _tells?.Stop();
        _asks?.Stop();
        return base.OnDeactivateAsync(reason, cancellationToken);
    }

    public async Task AddAsync(ThreadRef thread)
    {
        ArgumentNullException.ThrowIfNull(thread);
        var before = state.State.Threads;
        if (before.Any(t => t.ThreadId == thread.ThreadId))
        {
            return;
        }

        state.State.Threads = [.. before.Prepend(thread).Take(ChatLimits.MaxListedThreads)];
        await WriteRowAsync(null, () => state.State.Threads = before);
    }

    public Task<ImmutableArray<ThreadRef>> GetAsync() => Task.FromResult(state.State.Threads);

    public async Task AccessLostAsync()
    {
        var asking = _entries.Keys.Where(_toAsk.Add).ToList();
        if (asking.Count == 0)
        {
            return;
        }

        // Stored marked, so an activation before the answers asks them too.
        await WriteRowAsync(null, () => _toAsk.ExceptWith(asking));
        _askFailed.Clear();
        _asks!.Request();
    }

    public async Task<Result<ThreadCursors>> ReportAsync(string threadId, long delivered, long read, long epoch = 0)
    {
        if (ThreadIds.Parse(threadId) is null)
        {
            return HuddleError.InvalidId("A thread id (pt.…, tm.… or dm.…)");
        }

        if (delivered < 0 || read < 0)
        {
            return HuddleError.Invalid("A cursor is a seq of the thread: 0 or more.");
        }

        if (_entries.GetValueOrDefault(threadId) is { } held && delivered <= held.Cursor.Delivered && read <= held.Cursor.Read
            && !_toAsk.Contains(threadId) && !held.OfAnotherEpoch(epoch))
        {
            // Late or repeated: nothing moves, and nothing is asked or written. (Not for a thread still to be
            // asked — after a team change, or marked when this grain activated: the thread says whether
            // they are still a member; nor for seqs of another numbering than the one held: the thread's
            // check says which is its own.)
            return CursorsOf(held);
        }

        var checkedBy = await GrainFactory.Grain<IThreadGrain>(threadId).CheckCursorAsync(Key, delivered, read);
        if (checkedBy.Error is { } refused)
        {
            LogRefused(Key, threadId, refused.Code);
            return refused;
        }

        var check = checkedBy.Value!;
        var now = clock.UtcNow;
        var stored = _entries.GetValueOrDefault(threadId);
        var entry = EntryIn(check.Epoch, stored, check.Thread, now);
        // Seqs of a numbering the thread no longer has (a page that had not yet re-read it): they move nothing.
        var theirs = epoch == 0 || check.Epoch == 0 || epoch == check.Epoch;
        var cursor = theirs ? entry.Cursor.Advance(new MemberCursor(Key, delivered, now, read, now, check.ReadNumber)) ?? entry.Cursor : entry.Cursor;
        var next = entry with { Cursor = cursor };
        if (check.Head > entry.Head)
        {
            next = next with { Thread = check.Thread, Head = check.Head, HeadNumber = check.HeadNumber, At = now };
        }

        if (next != stored)
        {
            await StoreAsync(next);
            LogReported(Key, threadId, cursor.Delivered, cursor.Read);
        }

        if (cursor != entry.Cursor)
        {
            // The thread's copy (for receipts): told now, and again until it took it.
            _owed[threadId] = (cursor, next.Epoch);
            await TellOwedAsync();
        }

        return CursorsOf(next);
    }

    public Task<MemberCursor> TakeHeadAsync(ThreadHead head)
    {
        ArgumentNullException.ThrowIfNull(head);
        return TakeAsync(head);
    }

    /// <summary>
    /// Takes a thread's head (told, or the answer to an ask): a head-only move of a thread marked moving is
    /// held in memory only; any other change is stored (a head move marking its thread) before the reply.
    /// </summary>
    private async Task<MemberCursor> TakeAsync(ThreadHead head)
    {
        var threadId = head.Thread.ThreadId;
        var now = clock.UtcNow;
        var entry = _entries.GetValueOrDefault(threadId);
        var next = EntryIn(head.Epoch, entry, head.Thread, now);
        if (head.Head > next.Head)
        {
            next = next with { Thread = head.Thread, Head = head.Head, HeadNumber = head.HeadNumber, At = now };
        }

        // The thread's copy may know a newer cursor (the clinician's own send; or this row lost it to the bound).
        if (next.Cursor.Advance(head.Known with { UserId = Key }) is { } moved)
        {
            next = next with { Cursor = moved };
        }

        if (next == entry)
        {
            return next.Cursor;
        }

        if (entry is not null && next.Cursor == entry.Cursor && next.Epoch == entry.Epoch && _marked.Contains(threadId))
        {
            // The row says this thread's head may be newer than stored: an activation asks the thread.
            _entries[threadId] = next;
            Changed(threadId, entry, next);
            return next.Cursor;
        }

        await StoreAsync(next);
        return next.Cursor;
    }

    public Task<FeedPosition> SubscribeAsync(string kind, IFeedObserver observer) => Feed.SubscribeAsync(kind, observer);

    public Task UnsubscribeAsync(string kind, IFeedObserver observer) => Feed.UnsubscribeAsync(kind, observer);

    public Task<FeedCatchUp> ReadSinceAsync(string kind, long seq, long epoch = FeedPosition.AnyEpoch, int limit = 0) =>
        Feed.ReadSinceAsync(kind, seq, epoch, limit);

    public async Task<Result<FeedOpen>> OpenAsync(string kind, string userId, long? since, string? audience = null,
        long epoch = FeedPosition.AnyEpoch, int limit = 0)
    {
        Feed.CheckKind(kind);
        var own = FeedAudiences.User(Key);
        if (userId != Key || (audience is not null && audience != own))
        {
            return HuddleError.Forbidden("Unread counts are open to their clinician only.");
        }

        return await Feed.OpenAsync(own, since, epoch, limit, Snapshot);
    }

    /// <summary>The counts as last published (never ones still waiting for their publish): so the snapshot's seq is the one it shows.</summary>
    private UnreadSnapshot Snapshot() =>
        new(Key, Feed.Seq, _published.Values.Sum(t => t.Unread),
            [.. _published.Values.OrderByDescending(t => t.At).ThenBy(t => t.Thread.ThreadId, StringComparer.Ordinal).Select(t => t.ToUnread())]);

    /// <summary>
    /// The entry a thread's head or check of <paramref name="epoch"/> applies to: the one held when it counts
    /// in that epoch (taking the epoch when the held one did not know it), else a new one. A held entry of
    /// another epoch counted a numbering the thread no longer has (its stored state was lost, and it numbers
    /// from 1 again): its head and cursors are dropped, and so is any copy still owed to the thread.
    /// </summary>
    private ThreadCursorEntry EntryIn(long epoch, ThreadCursorEntry? held, ThreadRef thread, DateTimeOffset now)
    {
        if (held is null || held.OfAnotherEpoch(epoch))
        {
            if (held is not null)
            {
                _owed.Remove(thread.ThreadId);
                LogEpochChanged(Key, thread.ThreadId, held.Head, held.Cursor.Read);
            }

            return new ThreadCursorEntry(thread, 0, 0, MemberCursor.None(Key), now, epoch);
        }

        return held.Epoch == 0 && epoch != 0 ? held with { Epoch = epoch } : held;
    }

    private static ThreadCursors CursorsOf(ThreadCursorEntry entry) =>
        new(entry.Thread.ThreadId, entry.Cursor.Delivered, entry.Cursor.Read, entry.Head, entry.Unread);

    /// <summary>
    /// Stores <paramref name="entry"/> (dropping the thread quiet the longest past the bound, and its mark)
    /// with every entry as held in memory, marking its thread when its head moved; then publishes its count,
    /// coalesced.
    /// </summary>
    private async Task StoreAsync(ThreadCursorEntry entry)
    {
        var threadId = entry.Thread.ThreadId;
        var memory = new Dictionary<string, ThreadCursorEntry>(_entries, StringComparer.Ordinal);
        var previous = _entries.GetValueOrDefault(threadId);
        _entries[threadId] = entry;
        string? evicted = null;
        if (_entries.Count > MaxCursors)
        {
            evicted = _entries.Values.Where(e => e.Thread.ThreadId != threadId).MinBy(e => e.At)!.Thread.ThreadId;
            _entries.Remove(evicted);
        }

        await WriteRowAsync(entry.Head > (previous?.Head ?? 0) || entry.Epoch != (previous?.Epoch ?? entry.Epoch) ? threadId : null, () =>
        {
            _entries.Clear();
            foreach (var (id, e) in memory)
            {
                _entries[id] = e;
            }
        });

        if (evicted is not null)
        {
            _toAsk.Remove(evicted);
            _askFailed.Remove(evicted);
            _dirty.Add(evicted);
        }

        Changed(threadId, previous, entry);
    }

    /// <summary>
    /// Writes the row with every entry as held in memory. Marked moving after it: the threads marked before,
    /// those still to be asked and <paramref name="mark"/>, less those whose read cursor reached their head (their stored head is
    /// the one held: a later move marks them again) unless still to be asked, and less any without an entry.
    /// On failure <paramref name="rollback"/> puts memory back.
    /// </summary>
    private async Task WriteRowAsync(string? mark, Action rollback)
    {
        var marks = _marked.Concat(_toAsk).Append(mark).OfType<string>()
            .Where(t => _entries.TryGetValue(t, out var e) && (e.Cursor.Read < e.Head || _toAsk.Contains(t)))
            .ToHashSet(StringComparer.Ordinal);
        var (cursors, moving) = (state.State.Cursors, state.State.Moving);
        state.State.Cursors = [.. _entries.Values];
        state.State.Moving = [.. marks.Order(StringComparer.Ordinal)];
        await PersistAsync(() =>
        {
            (state.State.Cursors, state.State.Moving) = (cursors, moving);
            rollback();
        });

        _marked.Clear();
        _marked.UnionWith(marks);
    }

    /// <summary>A thread's count may have changed: published, coalesced.</summary>
    private void Changed(string threadId, ThreadCursorEntry? previous, ThreadCursorEntry entry)
    {
        if (previous?.ToUnread() != entry.ToUnread())
        {
            _dirty.Add(threadId);
        }

        if (_dirty.Count > 0)
        {
            _publish!.Request();
        }
    }

    /// <summary>
    /// Asks up to <see cref="AskAtOnce"/> marked threads their heads (a read at the thread) and takes each
    /// answer as a tell, then asks the next ones on a turn of their own; threads whose ask failed are asked
    /// again after a backoff. A thread that refuses (the clinician is no longer a member) loses its mark and
    /// its entry: it leaves their counts and their list.
    /// </summary>
    private async Task AskHeadsAsync()
    {
        var round = _toAsk.Where(t => !_askFailed.Contains(t)).Order(StringComparer.Ordinal).Take(AskAtOnce).ToList();
        if (round.Count == 0)
        {
            // Only failed ones are left, and their backoff has passed: asked again.
            _askFailed.Clear();
            round = [.. _toAsk.Order(StringComparer.Ordinal).Take(AskAtOnce)];
        }

        var answers = await Task.WhenAll(round.Select(async threadId =>
        {
            try
            {
                return (threadId, Answer: await GrainFactory.Grain<IThreadGrain>(threadId).HeadForAsync(Key));
            }
            catch (Exception ex)
            {
                LogAskFailed(ex, Key, threadId);
                return (threadId, Answer: (Result<ThreadHead>?)null);
            }
        }));

        var failed = false;
        foreach (var (threadId, answer) in answers)
        {
            if (answer is null)
            {
                if (_toAsk.Contains(threadId))
                {
                    failed = true;
                    _askFailed.Add(threadId);
                }

                continue;
            }

            if (!_toAsk.Remove(threadId))
            {
                // Evicted meanwhile: nothing to take.
                continue;
            }

            _askFailed.Remove(threadId);
            if (answer.Error is { } refused)
            {
                // No longer theirs (a team they left): out of their counts and their list.
                LogAskRefused(Key, threadId, refused.Code);
                _marked.Remove(threadId);
                if (_entries.ContainsKey(threadId))
                {
                    await ForgetAsync(threadId);
                }
            }
            else if (_entries.ContainsKey(threadId))
            {
                await TakeAsync(answer.Value!);
            }
        }

        if (!failed)
        {
            _askRetry = RetryFirst;
        }

        if (_toAsk.Count == 0)
        {
            return;
        }

        if (_toAsk.IsSubsetOf(_askFailed))
        {
            _asks!.Request(_askRetry);
            _askRetry = TimeSpan.FromTicks(Math.Min(RetryMax.Ticks, _askRetry.Ticks * 2));
        }
        else
        {
            _asks!.Request();
        }
    }

    /// <summary>Drops a thread the clinician may no longer use from the row (entry and list) and publishes its count's removal.</summary>
    private async Task ForgetAsync(string threadId)
    {
        var (entry, threads) = (_entries[threadId], state.State.Threads);
        _entries.Remove(threadId);
        state.State.Threads = threads.RemoveAll(t => t.ThreadId == threadId);
        await WriteRowAsync(null, () => (_entries[threadId], state.State.Threads) = (entry, threads));
        _dirty.Add(threadId);
        _publish!.Request();
    }

    /// <summary>Publishes the counts that changed since the last publish (and the total) as one numbered change.</summary>
    private Task PublishAsync()
    {
        if (_dirty.Count == 0)
        {
            return Task.CompletedTask;
        }

        var changed = ImmutableArray.CreateBuilder<ThreadUnread>();
        var removed = ImmutableArray.CreateBuilder<string>();
        foreach (var threadId in _dirty.Order(StringComparer.Ordinal))
        {
            if (_entries.GetValueOrDefault(threadId) is { } entry)
            {
                _published[threadId] = entry;
                changed.Add(entry.ToUnread());
            }
            else if (_published.Remove(threadId))
            {
                removed.Add(threadId);
            }
        }

        _dirty.Clear();
        var seq = Feed.Seq + 1;
        Feed.Publish(seq, [new(FeedAudiences.User(Key), new UnreadChange(Key, seq, _published.Values.Sum(t => t.Unread), changed.ToImmutable(), removed.ToImmutable()))]);
        return Task.CompletedTask;
    }

    /// <summary>Tells each thread owed one its copy of this clinician's cursors; what fails is told again after a backoff.</summary>
    private async Task TellOwedAsync()
    {
        foreach (var (threadId, owed) in _owed.ToList())
        {
            try
            {
                await GrainFactory.Grain<IThreadGrain>(threadId).TakeCursorAsync(owed.Cursor, owed.Epoch);
                if (_owed.GetValueOrDefault(threadId) == owed)
                {
                    _owed.Remove(threadId);
                }
            }
            catch (Exception ex)
            {
                LogTellFailed(ex, Key, threadId);
            }
        }

        if (_owed.Count > 0)
        {
            _tells!.Request(_retry);
            _retry = TimeSpan.FromTicks(Math.Min(RetryMax.Ticks, _retry.Ticks * 2));
        }
        else
        {
            _retry = RetryFirst;
        }
    }

    /// <summary>Writes the row; on failure memory goes back and the activation is retired (as every owner does).</summary>
    private async Task PersistAsync(Action rollback)
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception ex)
        {
            rollback();
            LogWriteFailed(ex, Key);
            DeactivateOnIdle();
            throw;
        }
    }

    // Debug: a report comes per device per message delivered or read.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Cursors of {UserId} in thread {ThreadId}: delivered {Delivered}, read {Read}")]
    private partial void LogReported(string userId, string threadId, long delivered, long read);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Thread list of {UserId}: thread {ThreadId} numbers in a new epoch (its stored state was lost); head {Head} and read cursor {Read} of the old one dropped")]
    private partial void LogEpochChanged(string userId, string threadId, long head, long read);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cursor report of {UserId} in thread {ThreadId} refused: {Code}")]
    private partial void LogRefused(string userId, string threadId, string code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cursors of {UserId} could not be told to thread {ThreadId}; retrying")]
    private partial void LogTellFailed(Exception ex, string userId, string threadId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Thread list of {UserId} could not ask thread {ThreadId} its head; retrying")]
    private partial void LogAskFailed(Exception ex, string userId, string threadId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Thread list of {UserId}: thread {ThreadId} refused to tell its head ({Code}); its mark is dropped")]
    private partial void LogAskRefused(string userId, string threadId, string code);

    [LoggerMessage(Level = LogLevel.Error, Message = "Thread list of {UserId}: state write failed; memory restored and activation retired")]
    private partial void LogWriteFailed(Exception ex, string userId);
}
