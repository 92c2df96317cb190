using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace Huddle.Bench.Targets;

/// <summary>
/// The chat scenario's people, the same for both targets (so every payload has the same size): per
/// thread a team of <see cref="LoadLayout.PerGroup"/> clinicians whose team thread (<c>tm.{teamId}</c>)
/// the bench writes in. Subscriber m is member m's device; the sender is member 0 on a second device,
/// so a message reaches every member once, the sender's own first device included.
/// </summary>
internal static class ChatPeople
{
    private static readonly string[] Roles = ["pcp", "bhc", "careManager", "nurse", "medicalAssistant", "socialWorker", "pharmacist"];

    public static string TeamId(LoadLayout layout, int group) => $"bench-chat-{layout.Key}-{group}";

    public static string ThreadId(string teamId) => $"tm.{teamId}";

    public static string Member(string teamId, int member) => $"{teamId}-m{member}";

    public static BenchMember Clinician(string teamId, int member) => new(Member(teamId, member), $"Clinician {member}", Roles[member % Roles.Length]);
}

/// <summary>
/// Huddle's real chat path: member 0's second device calls <c>SendMessage</c> on the team's thread
/// (a fresh client message id, the run tag and sequence number at the start of the text); the thread
/// grain checks membership, stores the message (one write of the thread's row) and publishes it, and
/// the relay sends <c>ThreadChanged</c> to every device that called <c>SubscribeThread</c>.
/// </summary>
internal sealed class HuddleChatTarget(ServerProcess server) : ILoadTarget
{
    /// <summary>The sequence number the captured message's text carries.</summary>
    public const int CaptureSeq = 1;

    /// <summary>The captured message's client message id (no run's id looks like it).</summary>
    public const string CaptureId = "bench-0000-capture";

    private readonly ConcurrentDictionary<string, string> _tokens = new(StringComparer.Ordinal);
    private readonly HashSet<string> _prepared = new(StringComparer.Ordinal);
    private readonly Uri _hub = new(server.BaseAddress, "hubs/huddle");

    public string Name => "huddle";

    public ServerProcess Server => server;

    public string GroupName(LoadLayout layout, int group) => ChatPeople.TeamId(layout, group);

    /// <summary>A team per thread, its clinicians signed in.</summary>
    public async Task PrepareAsync(LoadLayout layout, CancellationToken ct)
    {
        if (!_prepared.Add(layout.Key))
        {
            return;
        }

        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var teamIds = Enumerable.Range(0, layout.Groups).Select(g => GroupName(layout, g)).ToArray();
        await HuddleTarget.PutTeamsAsync(http, teamIds, teamId => Enumerable.Range(0, layout.PerGroup).Select(m => ChatPeople.Clinician(teamId, m)), null, ct);
        var users = teamIds.SelectMany(t => Enumerable.Range(0, layout.PerGroup).Select(m => ChatPeople.Member(t, m))).ToArray();
        await Parallel.ForEachAsync(users, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (user, ct) =>
        {
            _tokens[user] = await HuddleTarget.TokenAsync(http, user, ct);
        });
    }

    public HubConnection Subscriber(LoadLayout layout, int group, int member) =>
        Connections.Build(_hub, _tokens[ChatPeople.Member(GroupName(layout, group), member)]);

    public void Listen(HubConnection connection, Action<string?> onMarker) => Connections.ListenForMessages(connection, onMarker);

    public async Task SubscribeAsync(HubConnection connection, LoadLayout layout, int group, int member, CancellationToken ct)
    {
        var reply = await connection.InvokeAsync<BenchReply>("SubscribeThread", ChatPeople.ThreadId(GroupName(layout, group)), ct);
        if (!reply.Ok)
        {
            throw new InvalidOperationException($"SubscribeThread failed: {reply.Error}");
        }
    }

    public HubConnection Driver(LoadLayout layout, int group) => Connections.Build(_hub, _tokens[ChatPeople.Member(GroupName(layout, group), 0)]);

    public Task<bool> PublishAsync(HubConnection driver, LoadLayout layout, int group, int tag, int seq) =>
        SendAsync(driver, GroupName(layout, group), MessageId(tag, seq), Notes.Format(tag, seq));

    /// <summary>
    /// A message's client id. Like the web client's (time-ordered), each sorts after the driver's earlier
    /// ones (runs' tags count up), so the thread skips the id lookup a real clinician's send skips.
    /// </summary>
    internal static string MessageId(int tag, int seq) => $"bench-{tag:D4}-{seq:D9}";

    /// <summary>
    /// One real <c>ThreadChanged</c> as the JSON a member's device receives (thread 0, text of run tag 0,
    /// <see cref="CaptureSeq"/>): the baseline replays this shape so both targets send the same bytes.
    /// </summary>
    public async Task<string> CaptureMessageAsync(LoadLayout layout, CancellationToken ct)
    {
        await PrepareAsync(layout, ct);
        var captured = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var device = Subscriber(layout, 0, 1);
        await using var driver = Driver(layout, 0);
        device.On<JsonElement>(Connections.ThreadEvent, change => captured.TrySetResult(change.GetRawText()));
        await device.StartAsync(ct);
        await driver.StartAsync(ct);
        await SubscribeAsync(device, layout, 0, 1, ct);
        if (!await SendAsync(driver, GroupName(layout, 0), CaptureId, Notes.Format(0, CaptureSeq)))
        {
            throw new InvalidOperationException("The capture message was rejected.");
        }

        return await captured.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
    }

    private static async Task<bool> SendAsync(HubConnection driver, string teamId, string clientMessageId, string text)
    {
        var reply = await driver.InvokeAsync<BenchReply>("SendMessage", ChatPeople.ThreadId(teamId), new BenchSendMessage(clientMessageId, text, "normal"));
        return reply.Ok;
    }
}

/// <summary>
/// The baseline for chat: every member's device subscribes to the thread's group, and per message the
/// driver publishes the captured Huddle <c>ThreadChanged</c>, with the team, client message id and text
/// swapped in, to it: the same bytes to the same connections, and nothing else. <paramref name="durable"/>:
/// the durable floor, one <c>PublishDurable</c> per message that first inserts one table row (the
/// message under a new key in the thread's partition, as an append-only message log would), then sends.
/// </summary>
internal sealed class BaselineChatTarget(ServerProcess server, string capturedChange, string capturedTeamId, bool durable) : ILoadTarget
{
    private const string TextMarker = "\u0001text\u0001";
    private const string TeamMarker = "\u0001team\u0001";
    private const string IdMarker = "\u0001id\u0001";
    private readonly Uri _hub = new(server.BaseAddress, "hubs/baseline");

    // The team id is part of the thread id and of every member id.
    private readonly string _template = capturedChange
        .Replace(Notes.Format(0, HuddleChatTarget.CaptureSeq), TextMarker, StringComparison.Ordinal)
        .Replace($"\"{HuddleChatTarget.CaptureId}\"", $"\"{IdMarker}\"", StringComparison.Ordinal)
        .Replace(capturedTeamId, TeamMarker, StringComparison.Ordinal);

    public string Name => durable ? "floor" : "baseline";

    public ServerProcess Server => server;

    /// <summary>The UTF-8 size of one message event (for the report).</summary>
    public int PayloadBytes => System.Text.Encoding.UTF8.GetByteCount(Change(capturedTeamId, 0, 0));

    public Task<double[]?> TakeStorageWriteTimesAsync(CancellationToken ct) =>
        durable ? server.TakeFloorWriteTimesAsync(ct) : Task.FromResult<double[]?>(null);

    public string GroupName(LoadLayout layout, int group) => ChatPeople.TeamId(layout, group);

    public Task PrepareAsync(LoadLayout layout, CancellationToken ct) =>
        _template.Contains(TextMarker, StringComparison.Ordinal) && _template.Contains(IdMarker, StringComparison.Ordinal)
            ? Task.CompletedTask
            : throw new InvalidOperationException("The captured Huddle ThreadChanged does not carry the bench text and client message id.");

    public HubConnection Subscriber(LoadLayout layout, int group, int member) => Connections.Build(_hub, null);

    public void Listen(HubConnection connection, Action<string?> onMarker) => Connections.ListenForMessages(connection, onMarker);

    public Task SubscribeAsync(HubConnection connection, LoadLayout layout, int group, int member, CancellationToken ct) =>
        connection.InvokeAsync("Subscribe", GroupName(layout, group), ct);

    public HubConnection Driver(LoadLayout layout, int group) => Connections.Build(_hub, null);

    public async Task<bool> PublishAsync(HubConnection driver, LoadLayout layout, int group, int tag, int seq)
    {
        var teamId = GroupName(layout, group);
        using var payload = JsonDocument.Parse(Change(teamId, tag, seq));
        if (durable)
        {
            // '#' may not appear in a table key.
            await driver.InvokeAsync("PublishDurable", ChatPeople.ThreadId(teamId), Notes.Tag(tag, seq).Replace('#', '-'), Connections.ThreadEvent,
                new[] { teamId }, new[] { payload.RootElement });
        }
        else
        {
            await driver.InvokeAsync("PublishEvent", teamId, Connections.ThreadEvent, payload.RootElement);
        }

        return true;
    }

    private string Change(string teamId, int tag, int seq) => _template
        .Replace(TextMarker, Notes.Format(tag, seq), StringComparison.Ordinal)
        .Replace(IdMarker, HuddleChatTarget.MessageId(tag, seq), StringComparison.Ordinal)
        .Replace(TeamMarker, teamId, StringComparison.Ordinal);
}

/// <summary>Huddle's <c>SendMessage</c> argument.</summary>
internal sealed record BenchSendMessage(string ClientMessageId, string Text, string Priority);
