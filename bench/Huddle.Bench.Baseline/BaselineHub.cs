using System.Text.Json;
using Microsoft.AspNetCore.SignalR;

namespace Huddle.Bench.Baseline;

/// <summary>
/// Subscribe to a group; publish a payload to it. The payload is relayed as the JSON it arrived as,
/// so the bench can replay a captured Huddle BoardChanged (or, with <see cref="PublishEvent"/>, a
/// HandoffInboxChanged ping) and both targets send the same bytes. <see cref="PublishDurable"/> is the
/// durable floor: one table write of the payload, then the sends.
/// </summary>
public sealed class BaselineHub(FloorTable floor) : Hub
{
    public const string Path = "/hubs/baseline";

    /// <summary>The client method name, the same as Huddle's.</summary>
    public const string BoardChanged = "BoardChanged";

    public Task Subscribe(string group) => Groups.AddToGroupAsync(Context.ConnectionId, group);

    /// <summary>Nothing: the call a Huddle device makes every 20 s to stay present, made here too so both servers take the same messages.</summary>
    public void Heartbeat()
    {
    }

    public Task Publish(string group, JsonElement payload) => Clients.Group(group).SendAsync(BoardChanged, payload);

    /// <summary>Like <see cref="Publish"/> under another client method name (e.g. HandoffInboxChanged).</summary>
    public Task PublishEvent(string group, string method, JsonElement payload) => Clients.Group(group).SendAsync(method, payload);

    /// <summary>
    /// The least a durable service must do: write the first payload as row <paramref name="rowKey"/>
    /// of partition <paramref name="partition"/> (one Azure Table round trip), and only then send
    /// <c>payloads[i]</c> to <c>groups[i]</c> as <paramref name="method"/>. A board update passes the
    /// board's key (its row is replaced, as Huddle's team row is); a handoff passes a new key (a row
    /// inserted, as a new handoff's is) and one payload per pinged user.
    /// </summary>
    public async Task PublishDurable(string partition, string rowKey, string method, string[] groups, JsonElement[] payloads)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(payloads);
        if (groups.Length == 0 || groups.Length != payloads.Length)
        {
            throw new HubException("PublishDurable needs one payload per group, at least one.");
        }

        await floor.WriteAsync(partition, rowKey, JsonSerializer.SerializeToUtf8Bytes(payloads[0]), Context.ConnectionAborted);
        for (var i = 0; i < groups.Length; i++)
        {
            await Clients.Group(groups[i]).SendAsync(method, payloads[i], Context.ConnectionAborted);
        }
    }
}
