using Huddle.Contracts.Handoffs;

namespace Huddle.Web.Handoffs;

/// <summary>
/// The signed-in clinician's one live inbox per Blazor circuit (a scoped service): the layout's ping
/// listener and the page showing the inbox (the inbox, a handoff, a patient) read the same
/// <see cref="LiveInbox"/>, so a circuit watches <c>inbox:{userId}</c> once, not once per component.
/// Each component takes a <see cref="Lease"/>; the inbox is closed when the last one is given back
/// (or the circuit ends).
/// </summary>
public sealed class CircuitInbox(HandoffService handoffs) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<Lease> _leases = [];
    private LiveInbox? _live;
    private bool _disposed;

    /// <summary>True while the circuit watches the inbox (a component holds a lease).</summary>
    public bool IsOpen => _live is not null;

    /// <summary>
    /// The circuit's inbox for <paramref name="userId"/>, opened by the first caller. <paramref name="dispatch"/>
    /// runs work on the circuit's renderer (a component's InvokeAsync: every component of a circuit shares
    /// its one dispatcher); <paramref name="changed"/> runs there after the inbox changed, and
    /// <paramref name="pinged"/> for each change that asks the user to answer.
    /// </summary>
    public async Task<Lease> OpenAsync(string userId, Func<Func<Task>, Task> dispatch, Func<Task>? changed = null, Action<InboxChange>? pinged = null)
    {
        await _gate.WaitAsync();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_live is not null && _live.UserId != userId)
            {
                throw new InvalidOperationException("A circuit's inbox belongs to one user.");
            }

            _live ??= await LiveInbox.OpenAsync(handoffs, userId, dispatch, ChangedAsync, Pinged);
            var lease = new Lease(this, _live, changed, pinged);
            lock (_leases)
            {
                _leases.Add(lease);
            }

            return lease;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync();
        try
        {
            _disposed = true;
            await CloseAsync();
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task ReturnAsync(Lease lease)
    {
        await _gate.WaitAsync();
        try
        {
            bool last;
            lock (_leases)
            {
                last = _leases.Remove(lease) && _leases.Count == 0;
            }

            if (last)
            {
                await CloseAsync();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task CloseAsync()
    {
        if (Interlocked.Exchange(ref _live, null) is { } live)
        {
            await live.DisposeAsync();
        }
    }

    private Lease[] Leases()
    {
        lock (_leases)
        {
            return [.. _leases];
        }
    }

    private async Task ChangedAsync()
    {
        foreach (var lease in Leases())
        {
            if (lease.Changed is { } changed)
            {
                await changed();
            }
        }
    }

    private void Pinged(InboxChange change)
    {
        foreach (var lease in Leases())
        {
            lease.Pinged?.Invoke(change);
        }
    }

    /// <summary>One component's hold on the circuit's inbox; give it back (dispose) when the component goes.</summary>
    public sealed class Lease : IAsyncDisposable
    {
        private readonly CircuitInbox _owner;
        private int _returned;

        internal Lease(CircuitInbox owner, LiveInbox live, Func<Task>? changed, Action<InboxChange>? pinged)
        {
            _owner = owner;
            Live = live;
            Changed = changed;
            Pinged = pinged;
        }

        /// <summary>The circuit's inbox.</summary>
        public LiveInbox Live { get; }

        internal Func<Task>? Changed { get; }

        internal Action<InboxChange>? Pinged { get; }

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _returned, 1) == 0)
            {
                await _owner.ReturnAsync(this);
            }
        }
    }
}
