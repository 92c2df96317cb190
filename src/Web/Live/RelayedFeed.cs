using System.Threading.Channels;
using Huddle.Contracts.Live;

namespace Huddle.Web.Live;

/// <summary>
/// One feed as this host relays it: its queue of work for the pump, where its stream stands (epoch
/// and seq), who watches it, and its bound on unfinished sends. Everything marked "pump only" is
/// touched by the feed's pump alone, so it needs no lock.
/// <para>
/// <b>Control is never dropped, changes may be.</b> The queue is one FIFO channel, unbounded, in
/// which only changes (and hints) are counted against <see cref="FeedRelayOptions.QueueLimit"/>: past it a
/// change is dropped (and the pump fetches it again from the owner, see <see cref="TakeOverflow"/>),
/// while a join, leave, check or drain is always queued. That keeps memory bounded, because control
/// is bounded by the callers, not by the owner's publishing rate: each join and leave is one
/// watcher's call, awaited until the pump answers it, and a check comes once per subscribe or
/// renewal. One FIFO (rather than a second channel read first) also keeps control in order with the
/// changes around it, so a join answers with the seq the pump really reached.
/// </para>
/// </summary>
internal sealed class RelayedFeed(FeedId id, IFeedRoute route, IFeedGrain owner, int queueLimit)
{
    /// <summary>How many epochs this feed remembers having left: anything of those arriving later is late, not news.</summary>
    private const int RetiredKept = 8;

    private readonly Channel<FeedWork> _queue = Channel.CreateUnbounded<FeedWork>(new UnboundedChannelOptions { SingleReader = true });
    private readonly int _queueLimit = Math.Max(1, queueLimit);
    private readonly Queue<long> _retired = new();
    private int _changesQueued;
    private int _controlQueued;
    private int _overflow;
    private int _heldBack;

    public int PendingSends;

    public FeedId Id { get; } = id;
    public IFeedRoute Route { get; } = route;
    public IFeedGrain Owner { get; } = owner;

    /// <summary>Watches holding this feed attached (under the relay's lock).</summary>
    public int Refs { get; set; }

    /// <summary>The subscription at the owner, once it landed.</summary>
    public Task Subscribed { get; set; } = Task.CompletedTask;

    /// <summary>Joined watchers (changed on the pump, read by the registry under the relay's lock).</summary>
    public List<FeedWatch> Watches { get; } = [];

    /// <summary>The joined components among <see cref="Watches"/> (they are handed each change). Pump only.</summary>
    public List<FeedWatch> Locals { get; } = [];

    /// <summary>Joined hub connections per audience. Pump only.</summary>
    public Dictionary<string, int> HubAudiences { get; } = new(StringComparer.Ordinal);

    /// <summary>The owner's epoch the stream is in; <see cref="FeedPosition.AnyEpoch"/> until known. Pump only.</summary>
    public long Epoch { get; set; } = FeedPosition.AnyEpoch;

    /// <summary>True while a catch-up has its next page queued (<see cref="FeedWork.CatchUp"/>). Pump only.</summary>
    public bool CatchingUp { get; set; }

    /// <summary>The seq of the newest change relayed; -1 until the first is known. Pump only.</summary>
    public long LastSeq { get; set; } = -1;

    /// <summary>Changes waiting in the queue (the ones <see cref="FeedRelayOptions.QueueLimit"/> bounds).</summary>
    public int ChangesQueued => Volatile.Read(ref _changesQueued);

    /// <summary>Control items (joins, leaves, checks) waiting in the queue.</summary>
    public int ControlQueued => Volatile.Read(ref _controlQueued);

    public ChannelReader<FeedWork> Reader => _queue.Reader;

    /// <summary>True when <paramref name="epoch"/> is the stream's (an unknown epoch on either side counts as the same).</summary>
    public bool InEpoch(long epoch) => epoch == Epoch || epoch == FeedPosition.AnyEpoch || Epoch == FeedPosition.AnyEpoch;

    /// <summary>True when the stream already left <paramref name="epoch"/>: what comes from it is late.</summary>
    public bool Retired(long epoch) => _retired.Contains(epoch);

    /// <summary>Moves the stream to the owner's new <paramref name="epoch"/>, remembering the one it leaves. Pump only.</summary>
    public void EnterEpoch(long epoch)
    {
        if (Epoch != FeedPosition.AnyEpoch && Epoch != epoch)
        {
            _retired.Enqueue(Epoch);
            while (_retired.Count > RetiredKept)
            {
                _retired.Dequeue();
            }
        }

        Epoch = epoch;
    }

    public void CountHub(FeedWatch watch, int delta)
    {
        if (watch.ConnectionId is not null && watch.Audience is { } audience)
        {
            HubAudiences[audience] = HubAudiences.GetValueOrDefault(audience) + delta;
        }
    }

    public void Enqueue(FeedWork work)
    {
        var change = work is FeedWork.Deliver or FeedWork.Hint;
        if (change && Interlocked.Increment(ref _changesQueued) > _queueLimit)
        {
            // Full of changes: this one is dropped. A change is fetched again from the owner; a hint
            // is not (the numbered change it announces is on its way).
            Interlocked.Decrement(ref _changesQueued);
            if (work is FeedWork.Deliver)
            {
                Interlocked.Exchange(ref _overflow, 1);
            }

            work.Abandon(new FeedPosition(Epoch, LastSeq));
            return;
        }

        if (!change)
        {
            Interlocked.Increment(ref _controlQueued);
        }

        if (!_queue.Writer.TryWrite(work))
        {
            // Completed: the feed is gone. Anyone waiting is answered.
            Interlocked.Decrement(ref change ? ref _changesQueued : ref _controlQueued);
            work.Abandon(new FeedPosition(Epoch, LastSeq));
        }
    }

    /// <summary>The pump took <paramref name="work"/> off the queue.</summary>
    public void Taken(FeedWork work)
    {
        Interlocked.Decrement(ref work is FeedWork.Deliver or FeedWork.Hint ? ref _changesQueued : ref _controlQueued);
    }

    public void Complete() => _queue.Writer.TryComplete();

    /// <summary>True once after changes were dropped for a full queue.</summary>
    public bool TakeOverflow() => Interlocked.Exchange(ref _overflow, 0) != 0;

    public bool TryStartSend(int max)
    {
        if (Interlocked.Increment(ref PendingSends) > max)
        {
            Interlocked.Decrement(ref PendingSends);
            Interlocked.Exchange(ref _heldBack, 1);
            return false;
        }

        return true;
    }

    /// <summary>Ends a send; true when it was the last one and changes were held back meanwhile.</summary>
    public bool EndSend() => Interlocked.Decrement(ref PendingSends) == 0 && Interlocked.Exchange(ref _heldBack, 0) != 0;
}

/// <summary>What a feed's pump does, one item at a time, in order.</summary>
internal abstract record FeedWork
{
    /// <summary>
    /// Answers whoever waits on this work when it will never be done (its feed is gone, its queue full,
    /// or its step failed): a join or leave gets the stream's position, a hint counts as sent. Other work has no waiter.
    /// </summary>
    public virtual void Abandon(FeedPosition position)
    {
    }

    /// <summary>A change from the owner (a hint: it may be shed and fetched again).</summary>
    public sealed record Deliver(FeedChange Change) : FeedWork;

    /// <summary>
    /// An unnumbered payload for one audience (see <see cref="FeedHint"/>): sent, never counted in the
    /// stream; may be shed. <see cref="Sent"/> is answered once its sends are done (or it was shed).
    /// </summary>
    public sealed record Hint(string Audience, object Payload, TaskCompletionSource Sent) : FeedWork
    {
        public override void Abandon(FeedPosition position) => Sent.TrySetResult();
    }

    /// <summary>The owner's position, as a subscribe or renewal found it.</summary>
    public sealed record Check(FeedPosition Position) : FeedWork;

    /// <summary>A watcher joins; answered with the seq the stream reached.</summary>
    public sealed record Join(FeedWatch Watch, TaskCompletionSource<FeedPosition> Done) : FeedWork
    {
        public override void Abandon(FeedPosition position) => Done.TrySetResult(position);
    }

    /// <summary>A watcher leaves; answered once it receives nothing more.</summary>
    public sealed record Leave(FeedWatch Watch, TaskCompletionSource<FeedPosition> Done) : FeedWork
    {
        public override void Abandon(FeedPosition position) => Done.TrySetResult(position);
    }

    /// <summary>A watcher its user may no longer watch (their teams changed): dropped like a roster change drops one.</summary>
    public sealed record Evict(FeedWatch Watch) : FeedWork;

    /// <summary>A slow consumer's sends drained: everyone re-reads once.</summary>
    public sealed record Drained : FeedWork;

    /// <summary>The next page of a catch-up: queued behind what came meanwhile, so a join waits for one page, not all.</summary>
    public sealed record CatchUp(string Reason, long? Target) : FeedWork;
}
