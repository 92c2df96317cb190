using System.Collections.Concurrent;

namespace Huddle.Web.Live;

/// <summary>
/// Hands a feed's payloads from the relay's pump to a component's renderer, the way every live copy
/// (board, inbox) needs it: payloads queue and one drain at a time is posted to the renderer; a circuit
/// that cannot keep up (or waits to reconnect) holds at most <see cref="MaxQueued"/>, past that they are
/// dropped and the drain catches up instead, so memory stays bounded. Catch-up reads run one at a time:
/// one asked for while another runs makes it read again when done, so the newest state always wins.
/// </summary>
/// <param name="dispatch">Runs work on the component's renderer (its InvokeAsync).</param>
/// <param name="apply">Merges one payload on the renderer; true when what is shown changed.</param>
/// <param name="catchUpOnce">One catch-up read (ReadSince) and merge, on the renderer.</param>
/// <param name="changed">Re-renders the component after a drain that changed something.</param>
public sealed class RendererFeed<T>(Func<Func<Task>, Task> dispatch, Func<T, Task<bool>> apply, Func<Task> catchUpOnce, Func<Task> changed)
{
    /// <summary>The most payloads held for a renderer that has not drained yet.</summary>
    public const int MaxQueued = 256;

    private readonly ConcurrentQueue<T> _queue = new();
    private int _draining;
    private bool _overflowed;
    private bool _catchingUp;
    private bool _again;

    /// <summary>Called on the relay's pump: queues <paramref name="payload"/> and posts one drain to the renderer.</summary>
    public void Enqueue(T payload)
    {
        if (_queue.Count < MaxQueued)
        {
            _queue.Enqueue(payload);
        }
        else
        {
            Volatile.Write(ref _overflowed, true);
        }

        if (Interlocked.Exchange(ref _draining, 1) == 0)
        {
            _ = dispatch(DrainAsync);
        }
    }

    /// <summary>Reads what was missed (on the renderer), one read at a time.</summary>
    public async Task CatchUpAsync()
    {
        if (_catchingUp)
        {
            _again = true;
            return;
        }

        _catchingUp = true;
        try
        {
            do
            {
                _again = false;
                await catchUpOnce();
            }
            while (_again);
        }
        finally
        {
            _catchingUp = false;
        }
    }

    private async Task DrainAsync()
    {
        Volatile.Write(ref _draining, 0);
        var any = false;
        while (_queue.TryDequeue(out var payload))
        {
            any |= await apply(payload);
        }

        if (Interlocked.Exchange(ref _overflowed, false))
        {
            await CatchUpAsync();
            any = true;
        }

        if (any)
        {
            await changed();
        }
    }
}
