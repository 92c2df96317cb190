using System.Threading.Channels;
using Huddle.Contracts.Live;

namespace Huddle.Grains.Tests;

/// <summary>A host's observer a test reads from: every change a feed sends, in order, and every hint.</summary>
public sealed class FeedProbe : IFeedObserver
{
    private readonly Channel<FeedChange> _changes = Channel.CreateUnbounded<FeedChange>();
    private readonly Channel<FeedHint> _hints = Channel.CreateUnbounded<FeedHint>();

    public Task<FeedChange> NextAsync() => _changes.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));

    public Task<FeedHint> NextHintAsync() => _hints.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));

    /// <summary>Changes received and not read yet.</summary>
    public int ChangesWaiting => _changes.Reader.Count;

    /// <summary>When the last hint reached this probe (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>), as the owner's call came in.</summary>
    public long LastHintAt { get; private set; }

    /// <summary>When set, a hint is answered only once this completes (a host slow to send, or gone).</summary>
    public TaskCompletionSource? HintAnswer { get; set; }

    public Task OnFeedChanged(FeedChange change)
    {
        _changes.Writer.TryWrite(change);
        return Task.CompletedTask;
    }

    public Task OnFeedHint(FeedHint hint)
    {
        LastHintAt = System.Diagnostics.Stopwatch.GetTimestamp();
        _hints.Writer.TryWrite(hint);
        return HintAnswer?.Task ?? Task.CompletedTask;
    }
}

/// <summary>Holds every state write of one grain (<see cref="MeasuredGrainStorage.Hold"/>) until disposed.</summary>
public sealed class WriteGate : IDisposable
{
    private readonly GrainId _grainId;
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _entered;
    private long _firstEnteredAt;

    public WriteGate(GrainId grainId)
    {
        _grainId = grainId;
        MeasuredGrainStorage.Hold(grainId, async () =>
        {
            Interlocked.CompareExchange(ref _firstEnteredAt, System.Diagnostics.Stopwatch.GetTimestamp(), 0);
            Interlocked.Increment(ref _entered);
            await _release.Task;
        });
    }

    /// <summary>How many writes reached the gate (and wait there).</summary>
    public int Entered => Volatile.Read(ref _entered);

    /// <summary>When the first write reached the gate (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>); 0 before.</summary>
    public long FirstEnteredAt => Interlocked.Read(ref _firstEnteredAt);

    public void Dispose()
    {
        MeasuredGrainStorage.Open(_grainId);
        _release.TrySetResult();
    }
}
