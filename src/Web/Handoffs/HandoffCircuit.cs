using Huddle.Web.Presence;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace Huddle.Web.Handoffs;

/// <summary>
/// One per Blazor circuit. It decides which <see cref="HandoffPings"/> listens, so the layout and a page
/// may both host one and a ping still sounds once; and it makes the circuit count for the clinician's
/// presence like a hub connection does (connected, heartbeats every 20 s, gone when the browser's
/// connection drops), so routing pings someone who only has Huddle open in a browser.
/// </summary>
public sealed class HandoffCircuit(PresenceService presence, TimeProvider time) : CircuitHandler, IAsyncDisposable
{
    /// <summary>How often the circuit tells the presence grain it is alive (well inside the 60 s offline limit).</summary>
    public static readonly TimeSpan HeartbeatEvery = TimeSpan.FromSeconds(20);

    private readonly List<HandoffPings> _listeners = [];
    private readonly string _connectionId = $"circuit-{Guid.NewGuid():N}";
    private string? _userId;
    private bool _connected = true;
    private CancellationTokenSource? _beat;

    /// <summary>Adds a listener; true when it is the one that listens (the first alive).</summary>
    public bool Join(HandoffPings listener)
    {
        lock (_listeners)
        {
            _listeners.Add(listener);
            return _listeners.Count == 1;
        }
    }

    /// <summary>Removes a listener; returns the one that must start listening now, or null.</summary>
    public HandoffPings? Leave(HandoffPings listener)
    {
        lock (_listeners)
        {
            var wasActive = _listeners.Count > 0 && ReferenceEquals(_listeners[0], listener);
            _listeners.Remove(listener);
            return wasActive && _listeners.Count > 0 ? _listeners[0] : null;
        }
    }

    /// <summary>Counts this circuit for <paramref name="userId"/>'s presence until the circuit ends.</summary>
    public async Task StartPresenceAsync(string userId)
    {
        if (_userId is not null)
        {
            return;
        }

        _userId = userId;
        await presence.ConnectionAsync(userId, _connectionId, open: true);
        _beat = new CancellationTokenSource();
        _ = BeatAsync(userId, _beat.Token);
    }

    public override async Task OnConnectionDownAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        // The browser went away (tab closed, phone asleep): stop counting now, not when the circuit is dropped minutes later.
        _connected = false;
        if (_userId is { } userId)
        {
            await presence.ConnectionAsync(userId, _connectionId, open: false);
        }
    }

    public override async Task OnConnectionUpAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        var wasDown = !_connected;
        _connected = true;
        if (wasDown && _userId is { } userId)
        {
            await presence.ConnectionAsync(userId, _connectionId, open: true);
        }
    }

    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken) => StopAsync();

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _beat, null) is { } beat)
        {
            await beat.CancelAsync();
            beat.Dispose();
            await presence.ConnectionAsync(_userId!, _connectionId, open: false);
        }
    }

    private async Task BeatAsync(string userId, CancellationToken cancel)
    {
        using var timer = new PeriodicTimer(HeartbeatEvery, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancel))
            {
                if (_connected)
                {
                    await presence.HeartbeatAsync(userId, _connectionId);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The circuit ended.
        }
    }
}
