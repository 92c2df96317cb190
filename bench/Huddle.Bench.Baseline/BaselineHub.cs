using System.Text.Json;
using Microsoft.AspNetCore.SignalR;

namespace Huddle.Bench.Baseline;

/// <summary>
/// Subscribe to a group; publish a payload to it. The payload is relayed as the JSON it arrived as,
/// so the bench can replay a captured Huddle BoardChanged (or, with <see cref="PublishEvent"/>, a
/// HandoffInboxChanged ping) and both targets send the same bytes.
/// </summary>
public sealed class BaselineHub : Hub
{
    public const string Path = "/hubs/baseline";

    /// <summary>The client method name, the same as Huddle's.</summary>
    public const string BoardChanged = "BoardChanged";

    public Task Subscribe(string group) => Groups.AddToGroupAsync(Context.ConnectionId, group);

    public Task Publish(string group, JsonElement payload) => Clients.Group(group).SendAsync(BoardChanged, payload);

    /// <summary>Like <see cref="Publish"/> under another client method name (e.g. HandoffInboxChanged).</summary>
    public Task PublishEvent(string group, string method, JsonElement payload) => Clients.Group(group).SendAsync(method, payload);
}
