using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace Huddle.Bench.Targets;

/// <summary>
/// The bare SignalR hub: Subscribe(group) and Publish(group, payload). The payload is a captured
/// Huddle BoardChanged with its team id and note swapped, so each delivery has Huddle's size and
/// shape. <paramref name="durable"/>: the durable floor, <c>PublishDurable</c>, which first writes the
/// change to the board's one table row (replaced each time, as Huddle's team row is).
/// </summary>
internal sealed class BaselineTarget(ServerProcess server, string capturedChange, string capturedTeamId, bool durable) : ILoadTarget
{
    private const string NoteMarker = "\u0001note\u0001";
    private const string TeamMarker = "\u0001team\u0001";
    private readonly Uri _hub = new(server.BaseAddress, "hubs/baseline");
    private readonly string _template = capturedChange
        .Replace(Notes.Format(0, HuddleTarget.CaptureSeq), NoteMarker, StringComparison.Ordinal)
        .Replace($"\"{capturedTeamId}\"", $"\"{TeamMarker}\"", StringComparison.Ordinal);

    public string Name => durable ? "floor" : "baseline";

    public Task<double[]?> TakeStorageWriteTimesAsync(CancellationToken ct) =>
        durable ? server.TakeFloorWriteTimesAsync(ct) : Task.FromResult<double[]?>(null);

    public ServerProcess Server => server;

    /// <summary>The same group names as Huddle's team ids, so payload sizes match exactly.</summary>
    public string GroupName(LoadLayout layout, int group) => $"bench-{layout.Key}-{group}";

    public Task PrepareAsync(LoadLayout layout, CancellationToken ct)
    {
        if (!_template.Contains(NoteMarker, StringComparison.Ordinal))
        {
            throw new InvalidOperationException("The captured Huddle change does not carry the bench note.");
        }

        return Task.CompletedTask;
    }

    public HubConnection Subscriber(LoadLayout layout, int group, int member) => Connections.Build(_hub, null);

    public void Listen(HubConnection connection, Action<string?> onMarker) => Connections.ListenForChanges(connection, onMarker);

    public Task SubscribeAsync(HubConnection connection, LoadLayout layout, int group, int member, CancellationToken ct) =>
        connection.InvokeAsync("Subscribe", GroupName(layout, group), ct);

    public HubConnection Driver(LoadLayout layout, int group) => Connections.Build(_hub, null);

    public async Task<bool> PublishAsync(HubConnection driver, LoadLayout layout, int group, int tag, int seq)
    {
        var groupName = GroupName(layout, group);
        var json = _template.Replace(NoteMarker, Notes.Format(tag, seq), StringComparison.Ordinal).Replace(TeamMarker, groupName, StringComparison.Ordinal);
        using var payload = JsonDocument.Parse(json);
        if (durable)
        {
            await driver.InvokeAsync("PublishDurable", "board", groupName, "BoardChanged", new[] { groupName }, new[] { payload.RootElement });
        }
        else
        {
            await driver.InvokeAsync("Publish", groupName, payload.RootElement);
        }

        return true;
    }

    /// <summary>The payload size a delivery carries (UTF-8 bytes of the change, for the report).</summary>
    public int PayloadBytes => System.Text.Encoding.UTF8.GetByteCount(_template.Replace(NoteMarker, Notes.Format(0, 0), StringComparison.Ordinal));
}
