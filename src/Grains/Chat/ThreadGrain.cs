using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Chat;
using Huddle.Contracts.Common;
using Huddle.Contracts.Live;
using Huddle.Contracts.Patients;
using Huddle.Contracts.Users;
using Huddle.Grains.Common;
using Huddle.Grains.Live;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Serialization.Invocation;

namespace Huddle.Grains.Chat;

/// <summary>
/// A chat thread: owner of <c>thread:{threadId}</c>. A send is checked, deduplicated by its client
/// message id, stored in one write of the thread's row and then published; its seq is the feed's.
/// <para>
/// The row holds the messages not yet stored in pages only (at most <see cref="MaxTail"/>, as a rule
/// fewer than <see cref="PageSize"/>): each send writes the row, so what the row carries is what every
/// send pays to store. Each full page of <see cref="PageSize"/> messages is written to the history store
/// off the send's path (a grain timer that interleaves): first its client ids, then the page; the next
/// send's write drops it from the row. Memory keeps the newest stored page beside the row's messages
/// (<see cref="_stored"/>, read from its page once after an activation), so an open finds a screenful
/// and a reader a page behind catches up without a read. Catch-up reads (<see cref="FeedPublisher"/>'s
/// <c>readStored</c>) and scrolling back read the pages, so a reader away for any number of messages
/// pages forward, never reset.
/// </para>
/// Reads interleave with writes and never write: they answer from what storage last acknowledged
/// (<see cref="_stored"/>).
/// </summary>
[MayInterleave(nameof(IsRead))]
public sealed partial class ThreadGrain(
    [PersistentState(StorageNames.ThreadState, StorageNames.Huddle)] IPersistentState<ThreadState> state,
    IGrainHistoryStore history,
    HuddleClock clock,
    IOptions<FeedOptions> feedOptions,
    ILogger<ThreadGrain> logger) : Grain, IThreadGrain
{
    /// <summary>Messages per history page.</summary>
    public const int PageSize = 32;

    /// <summary>
    /// The most messages the row holds: two pages (a full page stays in it only while its page write is
    /// slow or failing; a send then waits for that write rather than let the row grow). At 4,000
    /// characters a message is at most about 12 KB serialized (3 UTF-8 bytes a character), so the row
    /// stays under 800 KB, below a row's 960 KiB.
    /// </summary>
    public const int MaxTail = 2 * PageSize;

    private const string MessagesStream = "messages";
    private const string IdsStream = "client-id";
    private const string LegacyIdsStream = "client-ids";
    private static readonly TimeSpan RetryFirst = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RetryMax = TimeSpan.FromSeconds(30);

    /// <summary>The client ids of every entry memory holds (<see cref="_stored"/>): a resend of one costs no read.</summary>
    private readonly Dictionary<(string Sender, string ClientId), ThreadMessage> _tailIds = [];
    private readonly HashSet<string> _listedFor = new(StringComparer.Ordinal);
    private FeedPublisher? _feed;
    /// <summary>
    /// What storage last acknowledged: the thread's seq, its direct members and its newest messages, gap-free
    /// up to the seq: the row's, after the newest stored page's when memory holds it (it left the row).
    /// </summary>
    private (ImmutableArray<ThreadMessage> Tail, long Seq, ImmutableArray<string> Members) _stored;

    /// <summary>The seq of the oldest entry memory holds (<see cref="_stored"/>); the thread's seq + 1 when it holds none.</summary>
    private long HeldFrom => _stored.Tail.IsEmpty ? _stored.Seq + 1 : _stored.Tail[0].Seq;
    private long _written;
    private Task? _writing;
    private IGrainTimer? _writer;
    private ImmutableHashSet<string>? _published;
    private TimeSpan _retry = RetryFirst;

    private string ThreadId => this.GetPrimaryKeyString();

    /// <summary>What the key says the thread is about; a key that is no thread id is a thread nobody may use.</summary>
    private (ThreadKind Kind, string? SubjectId)? Subject => (_subject ??= new(ThreadIds.Parse(ThreadId))).Value;

    /// <summary>
    /// The key parsed once per activation. Parsing cuts a new subject string, and every head told to 25
    /// members' grains carried one: strings those grains keep in their entries, each a young object an old
    /// one points at, copied by the next collection (docs/performance.md, "What a collection copies").
    /// </summary>
    private StrongBox<(ThreadKind Kind, string? SubjectId)?>? _subject;

    /// <summary>A patient's or team's thread as every member sees it (a direct thread's depends on who asks).</summary>
    private ThreadRef? _ref;

    /// <summary>The members as last built: the same instance while they stay the same (<see cref="KeptMembers"/>).</summary>
    private ImmutableHashSet<string>? _members;

    /// <summary>The calls that only read: they interleave.</summary>
    public static bool IsRead(IInvokable request) =>
        request?.GetMethodName() is nameof(IFeedGrain.OpenAsync) or nameof(IFeedGrain.ReadSinceAsync) or nameof(IFeedGrain.SubscribeAsync)
            or nameof(IFeedGrain.UnsubscribeAsync) or nameof(IThreadGrain.ReadBeforeAsync) or nameof(IThreadGrain.DescribeAsync)
            or nameof(IThreadGrain.ReadEditsAsync) or nameof(IThreadGrain.CheckCursorAsync) or nameof(IThreadGrain.TakeCursorAsync)
            or nameof(IThreadGrain.HeadForAsync);

    private FeedPublisher Feed => _feed ??= new FeedPublisher(
        new FeedId(IThreadGrain.Feed, ThreadId), state.State.Seq, feedOptions.Value, logger,
        state.State.FeedEpoch = FeedPublisher.EpochOf(state.State.FeedEpoch), ReadStoredAsync, LocalFeedHosts.In(ServiceProvider));

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _ = Feed;
        Acknowledged();
        _written = state.State.Written;
        _removedThrough = state.State.RemovedThrough;
        if (!state.State.IdsKeyed)
        {
            // A row from before keyed ids: those paged so far stay in buckets; the next write records it.
            (state.State.IdsKeyed, state.State.LegacyIdsThrough) = (true, state.State.Written);
        }

        if (state.State.Seq == 0)
        {
            // Nothing stored yet: every sender's ids will be marked from the first (written with it).
            state.State.IdMarksComplete = true;
        }

        IndexTail();
        ActivateCursors();
        // Past the retention (when one is set): checked a minute on, off the activation's first calls.
        ArmRetention(TimeSpan.FromMinutes(1));
        // Full pages the row still holds unwritten (a write was cut short): written again, off any call.
        ArmWriter(TimeSpan.Zero);
        ActivateAsks();
        return base.OnActivateAsync(cancellationToken);
    }

    /// <summary>
    /// Records in the row how far pages are stored, when no send did since: the next activation then
    /// writes none of them again (it would, harmlessly, if this write is lost).
    /// </summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _writer?.Dispose();
        DeactivateCursors();
        _retainer?.Dispose();
        DeactivateAsks();
        try
        {
            if (_writing is { } writing)
            {
                await writing.WaitAsync(cancellationToken);
            }

            if ((state.State.Written < _written || CursorsUnwritten) && state.State.Seq == _stored.Seq)
            {
                state.State.Written = _written;
                await state.WriteStateAsync(cancellationToken);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogPagesFailed(ex, ThreadId, _written);
        }

        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    public Task<FeedPosition> SubscribeAsync(string kind, IFeedObserver observer) => FeedOf(kind).SubscribeAsync(kind, observer);

    public Task UnsubscribeAsync(string kind, IFeedObserver observer) => FeedOf(kind).UnsubscribeAsync(kind, observer);

    public async Task<FeedCatchUp> ReadSinceAsync(string kind, long seq, long epoch = FeedPosition.AnyEpoch, int limit = 0)
    {
        if (kind == IThreadGrain.ReceiptsFeed)
        {
            return await Receipts.ReadSinceAsync(kind, seq, epoch, limit);
        }

        if (BeforeCut(seq, epoch))
        {
            return await ReadPastCutAsync(kind, epoch, limit);
        }

        var read = await Feed.ReadSinceAsync(kind, seq, epoch, limit);
        // Reads interleave with the retention's turn: one that removed the pages this read was reading
        // leaves a gap, which the feed answers with a reset. The reader is before the cut now: the marker.
        return read.Reset && BeforeCut(seq, epoch) ? await ReadPastCutAsync(kind, epoch, limit) : read;
    }

    public async Task<Result<FeedOpen>> OpenAsync(string kind, string userId, long? since, string? audience = null,
        long epoch = FeedPosition.AnyEpoch, int limit = 0)
    {
        FeedOf(kind).CheckKind(kind);
        if (await RefuseAsync(userId) is { } denied)
        {
            return denied;
        }

        if (audience is not null && audience != FeedAudiences.Members)
        {
            return HuddleError.Forbidden($"A thread has no '{audience}' stream.");
        }

        if (kind == IThreadGrain.ReceiptsFeed)
        {
            return await OpenReceiptsAsync(since, epoch, limit);
        }

        if (since is { } from && BeforeCut(from, epoch))
        {
            return await OpenPastCutAsync(userId, epoch, limit);
        }

        var opened = await Feed.OpenAsync(FeedAudiences.Members, since, epoch, limit, async () => await SnapshotAsync(userId));
        // As in ReadSinceAsync: the retention removed the pages this catch-up was reading, so the reader is before the cut.
        return opened.Reset && since is { } before && BeforeCut(before, epoch) ? await OpenPastCutAsync(userId, epoch, limit) : opened;
    }

    /// <summary>
    /// An open from before the retention's cut: the marker first, then from the cut on (or a reset with a
    /// snapshot); again from the new cut when the retention moved it meanwhile, as in ReadPastCutAsync.
    /// </summary>
    private async Task<FeedOpen> OpenPastCutAsync(string userId, long epoch, int limit)
    {
        var (through, open) = await FromCutAsync(
            from => Feed.OpenAsync(FeedAudiences.Members, from, epoch, Math.Max(1, FeedPage.Clamp(limit) - 1), async () => await SnapshotAsync(userId)),
            o => o.Reset);
        return open.Reset ? open : open with { Changes = [CutMarker(through), .. open.Changes], Seq = Math.Max(open.Seq, through) };
    }

    public async Task<Result<ThreadRef>> DescribeAsync(string userId) =>
        await RefuseAsync(userId) is { } denied ? denied : RefFor(userId);

    public async Task<Result<ThreadHistory>> ReadBeforeAsync(string userId, long before, int limit)
    {
        if (await RefuseAsync(userId) is { } denied)
        {
            return denied;
        }

        if (limit is < 1 or > ChatLimits.MaxHistoryRead)
        {
            return HuddleError.Invalid($"Ask for 1 to {ChatLimits.MaxHistoryRead} messages.");
        }

        var first = _removedThrough + 1;
        var end = Math.Min(before - 1, _stored.Seq);
        var from = Math.Max(first, end - limit + 1);
        var messages = end < first ? [] : await ServeAsync(await ReadRangeAsync(from, end));
        return from > first
            ? new ThreadHistory(ThreadId, messages, true)
            : new ThreadHistory(ThreadId, messages, false, _removedThrough, _removedThrough > 0 ? Options.Retention : null);
    }

    public async Task<Result<ThreadRef>> StartDirectAsync(string userId, string otherId)
    {
        if (Subject?.Kind != ThreadKind.Direct || ThreadIds.ForDirect(userId, otherId) != ThreadId)
        {
            return HuddleError.Invalid("A direct thread's id is the one of its two clinicians.");
        }

        if (!state.State.Members.IsEmpty && await RefuseAsync(userId) is { } denied)
        {
            // Started before: checked as every other call is (the clinicians' kind, the teammates rule).
            return denied;
        }

        if (state.State.Members.IsEmpty)
        {
            var users = await Task.WhenAll(GrainFactory.Grain<IUserGrain>(userId).GetAsync(), GrainFactory.Grain<IUserGrain>(otherId).GetAsync());
            if (users.Any(u => u is not { Kind: UserKind.Clinician }))
            {
                return HuddleError.Forbidden("Direct threads are between two clinicians.");
            }

            if (Options.DirectThreads == DirectThreadRule.Teammates && !users[0]!.TeamIds.Intersect(users[1]!.TeamIds).Any())
            {
                return HuddleError.Forbidden(NotTeammates);
            }

            state.State.Members = [.. new[] { userId, otherId }.Order(StringComparer.Ordinal)];
            await PersistAsync(() => state.State.Members = []);
            LogStarted(ThreadId, userId, otherId);
        }

        foreach (var member in state.State.Members)
        {
            List(member);
        }

        return RefFor(userId);
    }

    public async Task<Result<MessageSent>> SendAsync(string userId, SendMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if ((Invalid(message) ?? InvalidAsk(message)) is { } invalid)
        {
            LogRejected(ThreadId, userId, invalid.Code);
            return invalid;
        }

        var members = await MembersAsync();
        if (Refusal(userId, members) is { } denied)
        {
            LogRejected(ThreadId, userId, denied.Code);
            return denied;
        }

        if (await EarlierAsync(userId, message.ClientMessageId, ClientIds.ContentHashOf(message)) is { } earlier)
        {
            return earlier;
        }

        // Mentions, a role, an acknowledgement request, urgency: resolved and checked before anything is stored.
        var asked = await PlanAskAsync(userId, message, members!);
        if (asked.Error is { } refused)
        {
            LogRejected(ThreadId, userId, refused.Code);
            return refused;
        }

        var plan = asked.Value;
        if (plan is { } owing && (owing.Ask?.AckRequested == true || !owing.Notify.IsEmpty) && await HoldReminderAsync() is { } unheld)
        {
            // What the message promises (notifications, re-notifications) must outlive this activation: the
            // reminder that carries it is registered before the write, or the message is not sent.
            LogRejected(ThreadId, userId, unheld.Code);
            return unheld;
        }

        var sent = await AppendAsync(
            seq => new ThreadMessage(ThreadId, seq, userId, message.ClientMessageId, message.Text, message.Priority, clock.UtcNow, Ask: plan?.Ask),
            members!, plan is null ? null : stored => StageAsk(plan, stored));
        if (Subject?.Kind == ThreadKind.Patient)
        {
            List(userId);
        }

        return sent;
    }

    /// <summary>
    /// Stores the log's next entry (made by <paramref name="entry"/> from its seq) in one write of the row —
    /// with whatever <paramref name="stage"/> adds to the row for it (an acknowledgement request, owed
    /// notifications), undone by the action it returns if the write fails — then publishes it and arms the
    /// page writer: the one write path of a send, an edit, a delete and an acknowledgement.
    /// </summary>
    private async Task<MessageSent> AppendAsync(Func<long, ThreadMessage> entry, ImmutableHashSet<string> members, Func<ThreadMessage, Action>? stage = null)
    {
        if (state.State.Tail.Length >= MaxTail)
        {
            // Storage has not taken the older page yet (it was slow or failing): wait for it here, so the
            // row never holds more than two pages. A failure leaves the message unsent: "unavailable".
            await WritePagesAsync();
        }

        var countBefore = Cursors.MessageCount;
        var sent = Numbered(entry(state.State.Seq + 1));
        var (tailBefore, seqBefore, writtenBefore) = (state.State.Tail, state.State.Seq, state.State.Written);
        Cursors.MessageCount = Math.Max(countBefore, sent.Number);
        var tail = tailBefore.Add(sent);
        // Pages that are stored leave the row (memory keeps the newest: Acknowledged).
        var row = tail.RemoveRange(0, tail.TakeWhile(m => m.Seq <= _written).Count());
        (state.State.Tail, state.State.Seq, state.State.Written) = (row, sent.Seq, _written);
        var unstage = stage?.Invoke(sent);
        var unmark = StageIdMark(sent);
        WithSendersCursor(sent);
        await PersistAsync(() =>
        {
            (state.State.Tail, state.State.Seq, state.State.Written) = (tailBefore, seqBefore, writtenBefore);
            Cursors.MessageCount = countBefore;
            WithoutSendersCursor();
            unmark();
            unstage?.Invoke();
        });
        _tailIds[(sent.SenderId, sent.ClientMessageId)] = sent;
        LogSent(ThreadId, sent.Seq, sent.SenderId);
        if (MessageFolds.IsAmend(sent))
        {
            // The ring holds messages as they were published (a deleted text with them): catch-ups now
            // read the served form, each message as it is now, from the row and the pages instead.
            Feed.ForgetRecent();
        }

        Feed.Publish(sent.Seq, [new(FeedAudiences.Members, new ThreadChange(ThreadId, sent.Seq, sent))], RosterIfChanged(members));
        if (unstage is not null)
        {
            AfterAskStored();
        }

        Stored(sent);
        // A full page's write, like the members' tells, goes after the message's delivery (DeliveryLead).
        ArmWriter(_deliveryLead);
        return new MessageSent(ThreadId, sent.ClientMessageId, sent.Seq, sent.At);
    }

    /// <summary>Why <paramref name="message"/> cannot be sent as it is, or null.</summary>
    private static HuddleError? Invalid(SendMessage message)
    {
        if (!Ids.IsValid(message.ClientMessageId))
        {
            return HuddleError.InvalidId("A clientMessageId");
        }

        if (string.IsNullOrWhiteSpace(message.Text) || message.Text.Length > ChatLimits.MaxText)
        {
            return HuddleError.Invalid($"A message's text is 1 to {ChatLimits.MaxText:N0} characters (this one has {message.Text?.Length ?? 0}).");
        }

        return Enum.IsDefined(message.Priority) ? null : HuddleError.Invalid("A message's priority is 'normal' or 'urgent'.");
    }

    /// <summary>
    /// The reply of an earlier entry (send, edit, delete) of the same client message id by the same sender
    /// (or the error for other content under it: <paramref name="hash"/> differs), or null for a new one:
    /// looked up in the row, and, when entries have left it, in the id's own stored row (one point read;
    /// for a thread from before keyed ids, also in its old bucket).
    /// </summary>
    private async Task<Result<MessageSent>?> EarlierAsync(string userId, string clientMessageId, string hash)
    {
        if (_tailIds.TryGetValue((userId, clientMessageId), out var held))
        {
            return Repeat(userId, clientMessageId, held.Seq, held.At, ClientIds.ContentHashOf(held) == hash);
        }

        if (HeldFrom == 1)
        {
            // Memory holds every entry (the index above): none can be stored elsewhere.
            return null;
        }

        if (NewByMarks(userId, clientMessageId))
        {
            // It sorts after every id this sender stored here (ThreadGrain.IdMarks.cs): no read.
            return null;
        }

        var key = ClientIds.KeyOf(userId, clientMessageId);
        var found = await FindIdAsync(IdsStream, key, userId, clientMessageId);
        if (found is null && state.State.LegacyIdsThrough > 0)
        {
            found = await FindIdAsync(LegacyIdsStream, ClientIds.BucketOf(userId, clientMessageId), userId, clientMessageId);
        }

        return found is { } entry ? Repeat(userId, clientMessageId, entry.Seq, entry.At, entry.ContentHash == hash) : null;
    }

    private async Task<ClientIdEntry?> FindIdAsync(string stream, long page, string userId, string clientMessageId)
    {
        await foreach (var stored in history.ReadPagesAsync<ClientIdBucket>(this.GetGrainId(), stream, page, page))
        {
            return stored.Content.Entries.FirstOrDefault(e => e.SenderId == userId && e.ClientMessageId == clientMessageId);
        }

        return null;
    }

    private Result<MessageSent> Repeat(string userId, string clientMessageId, long seq, DateTimeOffset at, bool same)
    {
        if (!same)
        {
            LogRejected(ThreadId, userId, ErrorCodes.OpIdReused);
            return new HuddleError(ErrorCodes.OpIdReused,
                $"clientMessageId '{clientMessageId}' was already used for message {seq} with other content; use a new id for a new message.");
        }

        LogRepeated(ThreadId, seq, userId);
        return new MessageSent(ThreadId, clientMessageId, seq, at);
    }

    /// <summary>Null when <paramref name="userId"/> may read and write this thread; otherwise why not.</summary>
    private async Task<HuddleError?> RefuseAsync(string userId) => Refusal(userId, await MembersAsync());

    private HuddleError? Refusal(string userId, ImmutableHashSet<string>? members) => Subject switch
    {
        null => HuddleError.InvalidId("A thread id (pt.…, tm.… or dm.…)"),
        _ when members!.Contains(userId) => null,
        { Kind: ThreadKind.Team } => HuddleError.Forbidden("Only the team's clinicians can use its thread."),
        { Kind: ThreadKind.Patient } => HuddleError.Forbidden("Only clinicians on the patient's care teams can use the patient's thread."),
        _ when _stored.Members.Contains(userId) => HuddleError.Forbidden(NotTeammates),
        _ => HuddleError.Forbidden("Only the two clinicians of a direct thread can use it."),
    };

    private const string NotTeammates = "Direct threads here are between clinicians who share a care team (Huddle:Chat:DirectThreads).";

    /// <summary>True when the direct thread's two clinicians share a care team now (their user grains: warm reads).</summary>
    private async Task<bool> TeammatesAsync(ImmutableArray<string> members)
    {
        if (members.Length != 2)
        {
            return false;
        }

        var users = await Task.WhenAll(members.Select(m => GrainFactory.Grain<IUserGrain>(m).GetAsync()));
        return users[0] is { } a && users[1] is { } b && a.TeamIds.Intersect(b.TeamIds).Any();
    }

    /// <summary>
    /// Who may use the thread now (null for a key that is no thread id): the clinicians of the patient's
    /// care teams, of the team (never its room displays), or the two of a direct thread. A patient's
    /// thread asks the patient and team grains at every call (warm reads that interleave); a team's
    /// thread reads its copy of the team's profile, which the team's grain tells it of every roster
    /// change before that change's reply (ThreadGrain.Team.cs). Either way a roster change applies at
    /// the next call.
    /// </summary>
    private async Task<ImmutableHashSet<string>?> MembersAsync()
    {
        if (Subject is not { } about)
        {
            return null;
        }

        var (kind, subject) = about;
        var teams = kind switch
        {
            ThreadKind.Team => [subject!],
            ThreadKind.Patient => (await GrainFactory.Grain<IPatientGrain>(subject!).GetAsync())?.TeamIds ?? [],
            _ => ImmutableArray<string>.Empty,
        };
        if (kind == ThreadKind.Direct)
        {
            return Options.DirectThreads == DirectThreadRule.Teammates && !await TeammatesAsync(_stored.Members) ? KeptMembers([]) : KeptMembers(_stored.Members);
        }

        var profiles = kind == ThreadKind.Team
            ? await TeamProfileAsync(subject!)
            : await Task.WhenAll(teams.Select(t => GrainFactory.Grain<ICareTeamGrain>(t).GetProfileAsync()));
        var members = profiles.SelectMany(p => p?.Members.Select(m => m.UserId) ?? []);
        // A patient's thread also has the clinicians with emergency access to the patient, while it is in force.
        return KeptMembers(kind == ThreadKind.Patient
            ? members.Concat(await GrainFactory.Grain<IEmergencyAccessGrain>(subject!).HoldersAsync())
            : members);
    }

    /// <summary>
    /// <paramref name="members"/> as a set: the one built before when they are the same. Every send, cursor
    /// check and receipts publish asks for the members, and the set is kept (the receipts' copy, the roster
    /// last published): a new equal set per call would be young objects held by old ones.
    /// </summary>
    private ImmutableHashSet<string> KeptMembers(IEnumerable<string> members)
    {
        var now = members.ToArray();
        if (_members is { } kept && kept.SetEquals(now))
        {
            return kept;
        }

        return _members = [.. now];
    }

    /// <summary>
    /// The roster a published change carries when the members differ from those last published: hosts
    /// then drop a watcher who is no longer a member before they relay the change (one "re-read", which
    /// is refused), so a message stored after a clinician left is never pushed to them.
    /// </summary>
    private FeedRoster? RosterIfChanged(ImmutableHashSet<string> members)
    {
        if (_published is { } last && last.SetEquals(members))
        {
            return null;
        }

        _published = members;
        return RosterOf(members);
    }

    private static FeedRoster RosterOf(ImmutableHashSet<string> members) =>
        new(members.ToImmutableDictionary(m => m, _ => FeedAudiences.Members, StringComparer.Ordinal));

    private ThreadRef RefFor(string userId)
    {
        var (kind, subject) = Subject!.Value;
        return subject is null
            ? new ThreadRef(ThreadId, kind, _stored.Members.FirstOrDefault(m => m != userId) ?? userId)
            : _ref ??= new ThreadRef(ThreadId, kind, subject);
    }

    private async Task<ThreadSnapshot> SnapshotAsync(string userId)
    {
        if (_stored.Tail.Length < ChatLimits.SnapshotMessages)
        {
            await HoldPageBeforeAsync();
        }

        var (tail, seq, _) = _stored;
        var shown = tail.Length > ChatLimits.SnapshotMessages ? tail[^ChatLimits.SnapshotMessages..] : tail;
        var removed = _removedThrough;
        return new ThreadSnapshot(RefFor(userId), seq, await ServeAsync(shown), !shown.IsEmpty && shown[0].Seq > removed + 1,
            removed, removed > 0 ? Options.Retention : null);
    }

    /// <summary>
    /// Memory holds less than a page (after an activation it holds the row's messages only): the stored
    /// page before them is read once and held with them, as it is when a send's write drops it from the row.
    /// </summary>
    private async Task HoldPageBeforeAsync()
    {
        var first = HeldFrom;
        if (first - 1 <= _removedThrough || (first - 1) % PageSize != 0 || _stored.Tail.Length >= PageSize)
        {
            return;
        }

        var page = await ReadRangeAsync(first - PageSize, first - 1);
        // A send may have stored more meanwhile: held only while it still ends where memory begins.
        if (page.Length == PageSize && HeldFrom == first)
        {
            _stored = (page.AddRange(_stored.Tail), _stored.Seq, _stored.Members);
            foreach (var m in page)
            {
                _tailIds[(m.SenderId, m.ClientMessageId)] = m;
            }
        }
    }

    /// <summary>The messages after <paramref name="seq"/> (at most <paramref name="limit"/>) as the feed's changes: the publisher's <c>readStored</c>.</summary>
    private async Task<IReadOnlyList<FeedChange>> ReadStoredAsync(long seq, int limit)
    {
        var feed = new FeedId(IThreadGrain.Feed, ThreadId);
        var messages = await ServeAsync(await ReadRangeAsync(seq + 1, Math.Min(_stored.Seq, seq + limit)));
        // Stored changes carry no roster of their own: the first of a page carries today's, so a host
        // catching up drops a former member before it relays what they may no longer read.
        var roster = messages.IsEmpty || await MembersAsync() is not { } members ? null : RosterOf(members);
        return [.. messages.Select((m, i) => new FeedChange(feed, m.Seq, [new(FeedAudiences.Members, new ThreadChange(ThreadId, m.Seq, m))], i == 0 ? roster : null, Feed.Epoch))];
    }

    /// <summary>The stored messages <paramref name="from"/> to <paramref name="to"/>, in order: from memory, and from pages for what left it.</summary>
    private async Task<ImmutableArray<ThreadMessage>> ReadRangeAsync(long from, long to)
    {
        var tail = _stored.Tail;
        var result = ImmutableArray.CreateBuilder<ThreadMessage>();
        // Nothing the retention removed is read, even while its pages are being deleted.
        from = Math.Max(from, _removedThrough + 1);
        if (to < from)
        {
            return result.ToImmutable();
        }

        var held = HeldFrom;
        if (from < held)
        {
            var last = Math.Min(to, held - 1);
            await foreach (var page in history.ReadPagesAsync<MessagePage>(this.GetGrainId(), MessagesStream, (from - 1) / PageSize, (last - 1) / PageSize))
            {
                result.AddRange(page.Content.Messages.Where(m => m.Seq >= from && m.Seq <= last));
            }
        }

        result.AddRange(tail.Where(m => m.Seq >= from && m.Seq <= to));
        return result.ToImmutable();
    }

    /// <summary>Arms the page writer (a grain timer that interleaves) when a full page is waiting to be stored.</summary>
    private void ArmWriter(TimeSpan due)
    {
        if (_writer is not null || _stored.Seq / PageSize * PageSize <= _written)
        {
            return;
        }

        _writer = this.RegisterGrainTimer(async _ =>
        {
            _writer?.Dispose();
            _writer = null;
            try
            {
                await WritePagesAsync();
                _retry = RetryFirst;
                ArmRetentionAfterPage();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogPagesFailed(ex, ThreadId, _written);
                var wait = _retry;
                _retry = TimeSpan.FromTicks(Math.Min(RetryMax.Ticks, _retry.Ticks * 2));
                ArmWriter(wait);
            }
        }, new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan) { Interleave = true, KeepAlive = true });
    }

    /// <summary>Stores every full page the row holds that is not stored yet (one writer at a time; callers share it).</summary>
    private Task WritePagesAsync() => _writing is { IsCompleted: false } running ? running : _writing = WriteFullPagesAsync();

    private async Task WriteFullPagesAsync()
    {
        while (_stored.Seq / PageSize * PageSize > _written)
        {
            var (from, to) = (_written + 1, _written + PageSize);
            var page = _stored.Tail.Where(m => m.Seq >= from && m.Seq <= to).ToImmutableArray();
            if (page.Length != PageSize)
            {
                throw new InvalidOperationException($"Thread {ThreadId} holds {page.Length} of the messages {from}-{to} it has not stored in pages.");
            }

            // Client ids and amendments first, then the page: once the page is there (and the row may
            // forget it), every id on it can be found and every edit or delete on it is folded into its
            // message. All are upserts, so a retry after a failure writes the same again.
            await history.WritePagesAsync(this.GetGrainId(), IdsStream, [.. page.GroupBy(m => ClientIds.KeyOf(m.SenderId, m.ClientMessageId))
                .Select(g => new HistoryPage<ClientIdBucket>(g.Key, new ClientIdBucket([.. g.Select(IdEntry)])))]);
            await WriteAmendsAsync(page);
            await history.WritePageAsync(this.GetGrainId(), MessagesStream, (from - 1) / PageSize, new MessagePage(page));
            _written = to;
        }
    }

    private static ClientIdEntry IdEntry(ThreadMessage m) => new(m.SenderId, m.ClientMessageId, m.Seq, ClientIds.ContentHashOf(m), m.At);

    /// <summary>Puts a patient or direct thread on <paramref name="userId"/>'s thread list, once per activation; a hint, so a failure is only logged.</summary>
    private void List(string userId)
    {
        if (_listedFor.Add(userId))
        {
            GrainFactory.Grain<IThreadListGrain>(userId).AddAsync(RefFor(userId)).ContinueWith(
                t => LogListFailed(t.Exception!, ThreadId, userId),
                CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Current).Ignore();
        }
    }

    private void IndexTail()
    {
        _tailIds.Clear();
        foreach (var m in _stored.Tail)
        {
            _tailIds[(m.SenderId, m.ClientMessageId)] = m;
        }
    }

    /// <summary>
    /// Writes the row. If storage fails, memory goes back to what it last acknowledged and the activation
    /// is retired, so nothing unstored is ever served; a retry with the same client id finds the message
    /// if the write did land after all.
    /// </summary>
    private async Task PersistAsync(Action rollback)
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception ex)
        {
            rollback();
            IndexTail();
            LogWriteFailed(ex, ThreadId);
            DeactivateOnIdle();
            throw;
        }

        Acknowledged();
    }

    /// <summary>
    /// Storage accepted the row: <see cref="_stored"/> becomes the row's messages, after those of the stored
    /// page just before them that memory held (the page the write dropped from the row, or the one held
    /// already). Whatever memory held is gap-free up to its seq, so the page kept is too.
    /// </summary>
    private void Acknowledged()
    {
        var row = state.State.Tail;
        var first = row.IsEmpty ? state.State.Seq + 1 : row[0].Seq;
        var keepFrom = Math.Max(first - PageSize, state.State.RemovedThrough + 1);
        var before = _stored.Tail.IsDefault ? [] : _stored.Tail;
        var held = before.Where(m => m.Seq >= keepFrom && m.Seq < first).ToImmutableArray();
        _stored = (held.IsEmpty || held[^1].Seq != first - 1 ? row : held.AddRange(row), state.State.Seq, state.State.Members);
        var from = HeldFrom;
        foreach (var gone in before.TakeWhile(m => m.Seq < from))
        {
            _tailIds.Remove((gone.SenderId, gone.ClientMessageId));
        }
    }

    // Debug: a line per message is the messages' own record, which storage holds; at Information each
    // would wake the console writer on the send's path (on one core, a context switch per message).
    [LoggerMessage(Level = LogLevel.Debug, Message = "Thread {ThreadId} message {Seq} stored from {SenderId}")]
    private partial void LogSent(string threadId, long seq, string senderId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Thread {ThreadId} message {Seq} sent again by {SenderId}: first reply returned")]
    private partial void LogRepeated(string threadId, long seq, string senderId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Thread {ThreadId} refused a send from {SenderId}: {Code}")]
    private partial void LogRejected(string threadId, string senderId, string code);

    [LoggerMessage(Level = LogLevel.Information, Message = "Direct thread {ThreadId} started by {UserId} with {OtherId}")]
    private partial void LogStarted(string threadId, string userId, string otherId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Thread {ThreadId} could not store its pages after seq {Written}; retrying")]
    private partial void LogPagesFailed(Exception ex, string threadId, long written);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Thread {ThreadId} could not be added to the thread list of {UserId}")]
    private partial void LogListFailed(Exception ex, string threadId, string userId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Thread {ThreadId} state write failed; the activation is retired")]
    private partial void LogWriteFailed(Exception ex, string threadId);
}
