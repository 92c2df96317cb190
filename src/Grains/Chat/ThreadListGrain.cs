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
/// activation numbers it in a new epoch, and watchers re-read once); the cursors and heads are, before
/// any reply or publish that shows them. The thread list is written only when a thread is new to it.
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

    private static readonly TimeSpan RetryFirst = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RetryMax = TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, ThreadCursorEntry> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ThreadUnread> _published = new(StringComparer.Ordinal);
    private readonly HashSet<string> _dirty = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MemberCursor> _owed = new(StringComparer.Ordinal);
    private FeedPublisher? _feed;
    private Coalescer? _publish;
    private Coalescer? _tells;
    private TimeSpan _retry = RetryFirst;

    private string Key => this.GetPrimaryKeyString();

    /// <summary>The unread feed; its seq is not stored, so each activation is a new epoch.</summary>
    private FeedPublisher Feed => _feed ??= new FeedPublisher(new FeedId(IThreadListGrain.UnreadFeed, Key), 0, feedOptions.Value, logger);

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
            _published[entry.Thread.ThreadId] = entry.ToUnread();
        }

        _publish = new Coalescer(this, chatOptions.Value.CoalesceEvery, PublishAsync, interleave: false);
        _tells = new Coalescer(this, RetryFirst, TellOwedAsync, interleave: false);
        return base.OnActivateAsync(cancellationToken);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _publish?.Stop();
        _tells?.Stop();
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
        await PersistAsync(() => state.State.Threads = before);
    }

    public Task<ImmutableArray<ThreadRef>> GetAsync() => Task.FromResult(state.State.Threads);

    public async Task<Result<ThreadCursors>> ReportAsync(string threadId, long delivered, long read)
    {
        if (ThreadIds.Parse(threadId) is null)
        {
            return HuddleError.InvalidId("A thread id (pt.…, tm.… or dm.…)");
        }

        if (delivered < 0 || read < 0)
        {
            return HuddleError.Invalid("A cursor is a seq of the thread: 0 or more.");
        }

        if (_entries.GetValueOrDefault(threadId) is { } held && delivered <= held.Cursor.Delivered && read <= held.Cursor.Read)
        {
            // Late or repeated: nothing moves, and nothing is asked or written.
            return CursorsOf(held);
        }

        var checkedBy = await GrainFactory.GetGrain<IThreadGrain>(threadId).CheckCursorAsync(Key, delivered, read);
        if (checkedBy.Error is { } refused)
        {
            LogRefused(Key, threadId, refused.Code);
            return refused;
        }

        var check = checkedBy.Value!;
        var now = clock.UtcNow;
        var entry = _entries.GetValueOrDefault(threadId) ?? new ThreadCursorEntry(check.Thread, 0, 0, MemberCursor.None(Key), now);
        var cursor = entry.Cursor.Advance(new MemberCursor(Key, delivered, now, read, now, check.ReadNumber)) ?? entry.Cursor;
        var next = entry with { Cursor = cursor };
        if (check.Head > entry.Head)
        {
            next = next with { Thread = check.Thread, Head = check.Head, HeadNumber = check.HeadNumber, At = now };
        }

        if (next != entry || !_entries.ContainsKey(threadId))
        {
            await StoreAsync(next);
            LogReported(Key, threadId, cursor.Delivered, cursor.Read);
        }

        if (cursor != entry.Cursor)
        {
            // The thread's copy (for receipts): told now, and again until it took it.
            _owed[threadId] = cursor;
            await TellOwedAsync();
        }

        return CursorsOf(next);
    }

    public async Task<MemberCursor> TakeHeadAsync(ThreadHead head)
    {
        ArgumentNullException.ThrowIfNull(head);
        var threadId = head.Thread.ThreadId;
        var now = clock.UtcNow;
        var entry = _entries.GetValueOrDefault(threadId);
        var next = entry ?? new ThreadCursorEntry(head.Thread, 0, 0, MemberCursor.None(Key), now);
        if (head.Head > next.Head)
        {
            next = next with { Thread = head.Thread, Head = head.Head, HeadNumber = head.HeadNumber, At = now };
        }

        // The thread's copy may know a newer cursor (the clinician's own send; or this row lost it to the bound).
        if (next.Cursor.Advance(head.Known with { UserId = Key }) is { } moved)
        {
            next = next with { Cursor = moved };
        }

        if (next != entry)
        {
            await StoreAsync(next);
        }

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
            [.. _published.Values.OrderByDescending(t => t.At).ThenBy(t => t.Thread.ThreadId, StringComparer.Ordinal)]);

    private static ThreadCursors CursorsOf(ThreadCursorEntry entry) =>
        new(entry.Thread.ThreadId, entry.Cursor.Delivered, entry.Cursor.Read, entry.Head, entry.Unread);

    /// <summary>Stores <paramref name="entry"/> (dropping the thread quiet the longest past the bound), then publishes its count, coalesced.</summary>
    private async Task StoreAsync(ThreadCursorEntry entry)
    {
        var threadId = entry.Thread.ThreadId;
        var before = state.State.Cursors;
        var previous = _entries.GetValueOrDefault(threadId);
        _entries[threadId] = entry;
        string? evicted = null;
        if (_entries.Count > MaxCursors)
        {
            evicted = _entries.Values.Where(e => e.Thread.ThreadId != threadId).MinBy(e => e.At)!.Thread.ThreadId;
            _entries.Remove(evicted);
        }

        state.State.Cursors = [.. _entries.Values];
        await PersistAsync(() =>
        {
            state.State.Cursors = before;
            _entries.Clear();
            foreach (var e in before)
            {
                _entries[e.Thread.ThreadId] = e;
            }
        });

        if (previous?.ToUnread() != entry.ToUnread())
        {
            _dirty.Add(threadId);
        }

        if (evicted is not null)
        {
            _dirty.Add(evicted);
        }

        if (_dirty.Count > 0)
        {
            _publish!.Request();
        }
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
                var unread = entry.ToUnread();
                _published[threadId] = unread;
                changed.Add(unread);
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
        foreach (var (threadId, cursor) in _owed.ToList())
        {
            try
            {
                await GrainFactory.GetGrain<IThreadGrain>(threadId).TakeCursorAsync(cursor);
                if (_owed.GetValueOrDefault(threadId) == cursor)
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Cursors of {UserId} in thread {ThreadId}: delivered {Delivered}, read {Read}")]
    private partial void LogReported(string userId, string threadId, long delivered, long read);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cursor report of {UserId} in thread {ThreadId} refused: {Code}")]
    private partial void LogRefused(string userId, string threadId, string code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cursors of {UserId} could not be told to thread {ThreadId}; retrying")]
    private partial void LogTellFailed(Exception ex, string userId, string threadId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Thread list of {UserId}: state write failed; memory restored and activation retired")]
    private partial void LogWriteFailed(Exception ex, string userId);
}
