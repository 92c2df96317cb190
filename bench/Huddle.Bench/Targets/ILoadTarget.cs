using Microsoft.AspNetCore.SignalR.Client;

namespace Huddle.Bench.Targets;

/// <summary>How a load run lays subscribers out: <see cref="Groups"/> boards × <see cref="PerGroup"/> subscribers.</summary>
internal sealed record LoadLayout(int Groups, int PerGroup)
{
    public int Subscribers => Groups * PerGroup;

    public string Key => $"{Groups}x{PerGroup}";
}

/// <summary>
/// A server the load scenarios can drive: Huddle or the bare SignalR baseline. The harness is the
/// same for both; only how a subscriber subscribes and how a driver publishes differ.
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

    Task SubscribeAsync(HubConnection connection, LoadLayout layout, int group, CancellationToken ct);

    /// <summary>A not-yet-started connection that publishes to <paramref name="group"/> and receives nothing.</summary>
    HubConnection Driver(LoadLayout layout, int group);

    /// <summary>Publishes one update carrying <paramref name="note"/>; the task ends with the server's reply.</summary>
    Task<bool> PublishAsync(HubConnection driver, LoadLayout layout, int group, string note);
}
