namespace Huddle.Web.Chat;

/// <summary>
/// The signed-in clinician's one live copy of their unread counts per Blazor circuit (a scoped service):
/// the layout's badge, the thread list and every chat panel read the same <see cref="LiveUnread"/>, so a
/// circuit watches <c>unread:{userId}</c> once. Opened by the first reader, closed with the circuit.
/// </summary>
public sealed class CircuitUnread(ChatService chat) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<Func<Task>> _listeners = [];
    private LiveUnread? _live;
    private bool _disposed;

    /// <summary>
    /// The circuit's counts for <paramref name="userId"/>, opened by the first caller. <paramref name="dispatch"/> runs
    /// work on the circuit's renderer (a component's InvokeAsync: every component of a circuit shares its dispatcher).
    /// </summary>
    public async Task<LiveUnread> OpenAsync(string userId, Func<Func<Task>, Task> dispatch)
    {
        await _gate.WaitAsync();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_live is not null && _live.UserId != userId)
            {
                throw new InvalidOperationException("A circuit's unread counts belong to one user.");
            }

            return _live ??= await LiveUnread.OpenAsync(chat, userId, dispatch, ChangedAsync);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Calls <paramref name="changed"/> (on the renderer) after each change, until the returned handle is disposed.</summary>
    public IDisposable Listen(Func<Task> changed)
    {
        lock (_listeners)
        {
            _listeners.Add(changed);
        }

        return new Listener(this, changed);
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync();
        try
        {
            _disposed = true;
            if (Interlocked.Exchange(ref _live, null) is { } live)
            {
                await live.DisposeAsync();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task ChangedAsync()
    {
        Func<Task>[] listeners;
        lock (_listeners)
        {
            listeners = [.. _listeners];
        }

        foreach (var changed in listeners)
        {
            await changed();
        }
    }

    private sealed class Listener(CircuitUnread owner, Func<Task> changed) : IDisposable
    {
        public void Dispose()
        {
            lock (owner._listeners)
            {
                owner._listeners.Remove(changed);
            }
        }
    }
}
