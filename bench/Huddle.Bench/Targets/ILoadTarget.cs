using Microsoft.AspNetCore.SignalR.Client;

namespace Huddle.Bench.Targets;

/// <summary>How a load run lays subscribers out: <see cref="Groups"/> boards × <see cref="PerGroup"/> subscribers.</summary>
internal sealed record LoadLayout(int Groups, int PerGroup)
{
    public int Subscribers => Groups * PerGroup;

    public string Key => $"{Groups}x{PerGroup}";
}

/// <summary>
/// A server the load scenarios can drive: Huddle or the bare SignalR baseline, for board changes or
/// handoff pings. The harness is the same for all; only how a subscriber subscribes and listens and
/// how a driver publishes differ. An update is known by its run tag and sequence number
/// (<see cref="Notes"/>), which it carries in a card's note or a handoff's room.
/// </summary>
internal interface ILoadTarget
{
    string Name { get; }

    ServerProcess Server { get; }

    /// <summary>Creates what <paramref name="layout"/> needs (teams, users, tokens); cached per layout.</summary>
    Task PrepareAsync(LoadLayout layout, CancellationToken ct);

    /// <summary>The group (board) name of group <paramref name="group"/>.</summary>
    string GroupName(LoadLayout layout, int group);

    /// <summary>A not-yet-started connection for subscriber <paramref name="member"/> of <paramref name="group"/>.</summary>
    HubConnection Subscriber(LoadLayout layout, int group, int member);

    /// <summary>Registers the handler that hands every update the connection receives to <paramref name="onMarker"/> (its tag text, or null).</summary>
    void Listen(HubConnection connection, Action<string?> onMarker);

    /// <summary>Subscribes a started subscriber connection (<paramref name="member"/> of <paramref name="group"/>).</summary>
    Task SubscribeAsync(HubConnection connection, LoadLayout layout, int group, int member, CancellationToken ct);

    /// <summary>A not-yet-started connection that publishes to <paramref name="group"/> and receives nothing.</summary>
    HubConnection Driver(LoadLayout layout, int group);

    /// <summary>Publishes update <paramref name="seq"/> of run <paramref name="tag"/>; the task ends with the server's reply.</summary>
    Task<bool> PublishAsync(HubConnection driver, LoadLayout layout, int group, int tag, int seq);

    /// <summary>
    /// How often each subscriber tells the server it is alive while a run lasts (<see cref="KeepAliveAsync"/>),
    /// or null for a target whose subscribers need not. Huddle's handoff target needs it: a device not heard
    /// from for 60 s counts as offline and is no longer pinged (docs/api.md, "Heartbeat").
    /// </summary>
    TimeSpan? KeepAliveEvery => null;

    /// <summary>One keep-alive call of a subscriber (its reply awaited; not timed).</summary>
    Task KeepAliveAsync(HubConnection connection, CancellationToken ct) => Task.CompletedTask;

    /// <summary>Cleans up after a run, once its connections are closed and its figures taken (not measured).</summary>
    Task AfterRunAsync(CancellationToken ct) => Task.CompletedTask;

    /// <summary>
    /// The durable floor's own table write times (ms) since the last call, as the server timed them;
    /// null for a target that does not time its writes.
    /// </summary>
    Task<double[]?> TakeStorageWriteTimesAsync(CancellationToken ct) => Task.FromResult<double[]?>(null);
}
