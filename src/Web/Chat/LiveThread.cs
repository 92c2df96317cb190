using Huddle.Contracts.Chat;
using Huddle.Web.Live;

namespace Huddle.Web.Chat;

/// <summary>
/// A component's live copy of one chat thread (<c>thread:{threadId}</c>): the thread's merge (a message
/// appends; an edit or delete folds into the message it refers to) on the one generic
/// <see cref="LiveFeed{TSnapshot, TChange}"/>, plus scrolling back. It holds at most <see cref="MaxHeld"/>
/// messages; older ones are read again on demand.
/// <para>
/// Entries about an acknowledgement request (an acknowledgement, a role reaching more holders, the end of its
/// reminders) are folded into the message they refer to, not listed: <see cref="AcksOf"/>, <see cref="Asked"/>,
/// <see cref="UnansweredOf"/>. Folds are kept for
/// messages not loaded yet, since scrolling back brings an entry before its target.
/// </para>
/// </summary>
public sealed partial class LiveThread : ILiveCopy<ThreadSnapshot, ThreadChange>, IAsyncDisposable
{
    /// <summary>The most messages a screen keeps; scrolling back further reads them again.</summary>
    public const int MaxHeld = 1000;

    private readonly List<ThreadMessage> _messages = [];
    private readonly Dictionary<long, List<ThreadMessage>> _acks = [];
    private readonly Dictionary<long, ThreadMessage> _unanswered = [];
    private readonly Dictionary<long, List<MessageAsk>> _rerouted = [];
    private readonly ChatService _chat;
    private readonly string _userId;
    private LiveFeed<ThreadSnapshot, ThreadChange>? _feed;

    private LiveThread(ChatService chat, string userId, string threadId) => (_chat, _userId, ThreadId) = (chat, userId, threadId);

    public string ThreadId { get; }

    /// <summary>The messages held, oldest first.</summary>
    public IReadOnlyList<ThreadMessage> Messages => _messages;

    /// <summary>True when older messages than the first held exist.</summary>
    public bool More { get; private set; }

    /// <summary>The last seq the deployment's retention removed (0: none): "earlier messages were removed".</summary>
    public long RemovedThrough { get; private set; }

    /// <summary>The deployment's retention, when it removed messages of this thread.</summary>
    public TimeSpan? Retention { get; private set; }

    /// <summary>Why the thread cannot be shown (forbidden, unavailable), or null.</summary>
    public Contracts.Common.HuddleError? Error => _feed?.Error;

    /// <summary>The thread's feed epoch the held messages' seqs count in (a thread whose stored state was lost numbers again in a new one).</summary>
    public long Epoch => _feed?.Epoch ?? Contracts.Live.FeedPosition.AnyEpoch;

    /// <summary>
    /// Opens <paramref name="threadId"/> as <paramref name="userId"/> may see it. <paramref name="dispatch"/> runs work on
    /// the component's renderer (its InvokeAsync); <paramref name="changed"/> re-renders what shows it.
    /// </summary>
    public static async Task<LiveThread> OpenAsync(ChatService chat, string userId, string threadId, Func<Func<Task>, Task> dispatch, Func<Task> changed)
    {
        ArgumentNullException.ThrowIfNull(chat);
        var live = new LiveThread(chat, userId, threadId);
        live._feed = await LiveFeed<ThreadSnapshot, ThreadChange>.OpenAsync(chat.SourceOf(userId, threadId), live, dispatch, changed);
        return live;
    }

    /// <summary>The acknowledgements of the message at <paramref name="seq"/>, in the order they were stored (one per clinician).</summary>
    public IReadOnlyList<ThreadMessage> AcksOf(long seq) => _acks.TryGetValue(seq, out var acks) ? acks : [];

    /// <summary>Who had not acknowledged the message at <paramref name="seq"/> when its re-notifications ran out, or null while they have not.</summary>
    public IReadOnlyList<string>? UnansweredOf(long seq) => _unanswered.TryGetValue(seq, out var entry) ? entry.Waiting ?? [] : null;

    /// <summary>
    /// <paramref name="message"/> with whom its request asks now: the clinicians its roles reached at later
    /// re-notifications (<see cref="ThreadEntryKind.AckRerouted"/>) joined to its ask.
    /// </summary>
    public ThreadMessage Asked(ThreadMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        // Each entry merged into the message's own ask, which holds every role (entries may name different ones).
        return message.Ask is { } ask && _rerouted.TryGetValue(message.Seq, out var more) ? message with { Ask = more.Aggregate(ask, AckTally.Merge) } : message;
    }

    /// <summary>Reads what was missed now (after this screen's own send, so it shows at once).</summary>
    public Task CatchUpAsync() => _feed?.CatchUpAsync() ?? Task.CompletedTask;

    /// <summary>Reads up to <paramref name="count"/> messages before the first held (on the renderer).</summary>
    public async Task<Contracts.Common.HuddleError?> LoadEarlierAsync(int count = ChatLimits.SnapshotMessages)
    {
        if (_messages.Count == 0 || !More)
        {
            return null;
        }

        var first = _messages[0].Seq;
        var read = await _chat.ReadBeforeAsync(_userId, ThreadId, first, count);
        if (read.Error is { } error)
        {
            return error;
        }

        // Only what is still older than the first held: a reset may have replaced the list meanwhile.
        var older = read.Value!.Messages.Where(m => m.Seq < Math.Min(first, _messages.Count > 0 ? _messages[0].Seq : first)).ToList();
        _messages.InsertRange(0, Listed(older));
        More = read.Value.More;
        (RemovedThrough, Retention) = (read.Value.RemovedThrough, read.Value.Retention);
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_feed is not null)
        {
            await _feed.DisposeAsync();
        }
    }

    long ILiveCopy<ThreadSnapshot, ThreadChange>.SeqOf(ThreadChange change) => change.Seq;

    bool ILiveCopy<ThreadSnapshot, ThreadChange>.IsReset(ThreadChange change) => change.Reset;

    bool ILiveCopy<ThreadSnapshot, ThreadChange>.IsCut(ThreadChange change) => change.RemovedThrough > 0 && !change.Reset;

    void ILiveCopy<ThreadSnapshot, ThreadChange>.Take(ThreadSnapshot snapshot)
    {
        _messages.Clear();
        _folds.Clear();
        _acks.Clear();
        _unanswered.Clear();
        _rerouted.Clear();
        _messages.AddRange(Listed(snapshot.Messages));
        More = snapshot.More;
        (RemovedThrough, Retention) = (snapshot.RemovedThrough, snapshot.Retention);
    }

    bool ILiveCopy<ThreadSnapshot, ThreadChange>.Merge(ThreadChange change)
    {
        if (change.RemovedThrough > 0)
        {
            // The retention removed everything up to here: what is held is older still, so it goes too,
            // and the panel says so.
            _messages.Clear();
            _folds.Clear();
            (More, RemovedThrough, Retention) = (false, change.RemovedThrough, change.Retention);
            return true;
        }

        if (change.Message is not { } message)
        {
            return false;
        }

        if (FoldAck(message))
        {
            return true;
        }

        if (message.Kind != ThreadEntryKind.Message)
        {
            Fold(message);
            return true;
        }

        _messages.Add(Folded([message])[0]);
        if (_messages.Count > MaxHeld)
        {
            _messages.RemoveRange(0, _messages.Count - MaxHeld);
            More = true;
        }

        return true;
    }

    void ILiveCopy<ThreadSnapshot, ThreadChange>.Forget()
    {
        _messages.Clear();
        _folds.Clear();
        _acks.Clear();
        _unanswered.Clear();
        _rerouted.Clear();
        More = false;
    }

    /// <summary>The messages of <paramref name="entries"/>, every other entry folded into what it refers to.</summary>
    private List<ThreadMessage> Listed(IEnumerable<ThreadMessage> entries) => Folded([.. entries.Where(e => !FoldAck(e))]);

    /// <summary>Folds an acknowledgement or the end of a request's reminders into the message it refers to; true when it was one.</summary>
    private bool FoldAck(ThreadMessage entry)
    {
        switch (entry.Kind)
        {
            case ThreadEntryKind.Acknowledge:
                if (!_acks.TryGetValue(entry.Refers, out var acks))
                {
                    _acks[entry.Refers] = acks = [];
                }

                if (!acks.Any(a => a.SenderId == entry.SenderId))
                {
                    acks.Add(entry);
                }

                return true;
            case ThreadEntryKind.AckUnanswered:
                _unanswered[entry.Refers] = entry;
                return true;
            case ThreadEntryKind.AckRerouted:
                if (entry.Ask is { } added)
                {
                    if (!_rerouted.TryGetValue(entry.Refers, out var entries))
                    {
                        _rerouted[entry.Refers] = entries = [];
                    }

                    entries.Add(added);
                }

                return true;
            default:
                return false;
        }
    }
}
