using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace Huddle.Bench.Targets;

/// <summary>
/// The handoff scenario's people, the same for both targets (so every payload has the same size):
/// per team one PCP (the requester, the driver connection) and <see cref="Bhcs"/> behavioral health
/// consultants with <see cref="DevicesPerBhc"/> devices each. A layout's subscribers per group are
/// the team's target devices: member m is device m % 2 of BHC m / 2.
/// </summary>
internal static class HandoffPeople
{
    public const int DevicesPerBhc = 2;

    /// <summary>BHCs per team; a layout for <paramref name="bhcs"/> has <c>bhcs × 2</c> subscribers per team.</summary>
    public static LoadLayout Layout(int teams, int bhcs) => new(teams, bhcs * DevicesPerBhc);

    public static int Bhcs(LoadLayout layout) => layout.PerGroup / DevicesPerBhc;

    public static string TeamId(LoadLayout layout, int group) => $"bench-handoff-{layout.Key}-{group}";

    /// <summary>How often a device heartbeats (docs/api.md: every 20 s; offline after 60 s unheard). Both targets' devices call at this pace.</summary>
    public static readonly TimeSpan HeartbeatEvery = TimeSpan.FromSeconds(20);

    public static string Pcp(string teamId) => $"{teamId}-pcp";

    public static string Bhc(string teamId, int bhc) => $"{teamId}-bhc{bhc}";

    /// <summary>The BHC whose device subscriber <paramref name="member"/> is.</summary>
    public static string BhcOfDevice(LoadLayout layout, int group, int member) => Bhc(TeamId(layout, group), member / DevicesPerBhc);
}

/// <summary>
/// Huddle's real handoff path: the team's PCP calls <c>RequestHandoff</c> (role <c>bhc</c>, urgent, a
/// fresh <c>opId</c>, the run tag in <c>room</c>); the handoff grain routes it by presence (policy
/// <c>pingAllAtOnce</c>: every available BHC), stores it, arms its escalation and delivers it to each
/// pinged inbox, whose feed the relay sends as <c>HandoffInboxChanged</c> with <c>ping: true</c> to every
/// device that called <c>SubscribeInbox</c>. The handoffs a run opened are cancelled after it.
/// </summary>
internal sealed class HuddleHandoffTarget(ServerProcess server) : ILoadTarget
{
    /// <summary>The room the captured ping carries.</summary>
    public const int CaptureSeq = 1;

    private static readonly BenchSbar Reason = new(
        "PHQ-9 of 18 today, up from 11; reports poor sleep and low mood since losing work.",
        "Type 2 diabetes, A1c 9.1; sertraline 50 mg started 6 weeks ago.",
        "Moderately severe depression, no active SI; med adherence uncertain.",
        "Same-visit BH assessment and safety plan; consider behavioral activation.");

    private readonly ConcurrentDictionary<string, string> _tokens = new(StringComparer.Ordinal);
    private readonly HashSet<string> _prepared = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(string Requester, string HandoffId)> _open = new();
    private readonly Uri _hub = new(server.BaseAddress, "hubs/huddle");

    public string Name => "huddle";

    public ServerProcess Server => server;

    public string GroupName(LoadLayout layout, int group) => HandoffPeople.TeamId(layout, group);

    /// <summary>Teams of a PCP and the BHCs, each with one patient, and the policy that pings every available BHC at once.</summary>
    public async Task PrepareAsync(LoadLayout layout, CancellationToken ct)
    {
        if (!_prepared.Add(layout.Key))
        {
            return;
        }

        using var http = Http();
        var teamIds = Enumerable.Range(0, layout.Groups).Select(g => GroupName(layout, g)).ToArray();
        await HuddleTarget.PutTeamsAsync(http, teamIds, teamId => Enumerable.Range(0, HandoffPeople.Bhcs(layout))
            .Select(k => new BenchMember(HandoffPeople.Bhc(teamId, k), $"Consultant {k}", "bhc"))
            .Prepend(new BenchMember(HandoffPeople.Pcp(teamId), "Bench PCP", "pcp")), (teamId, ct) => SetPolicyAsync(http, teamId, ct), ct);

        var bhcs = teamIds.SelectMany(t => Enumerable.Range(0, HandoffPeople.Bhcs(layout)).Select(k => HandoffPeople.Bhc(t, k))).ToArray();
        await Parallel.ForEachAsync(bhcs, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (user, ct) =>
        {
            _tokens[user] = await HuddleTarget.TokenAsync(http, user, ct);
        });
    }

    /// <summary>Signs the team's PCP in and sets the policy <c>pingAllAtOnce</c> (the default target times).</summary>
    private async Task SetPolicyAsync(HttpClient http, string teamId, CancellationToken ct)
    {
        var pcp = HandoffPeople.Pcp(teamId);
        _tokens[pcp] = await HuddleTarget.TokenAsync(http, pcp, ct);
        using var policy = new HttpRequestMessage(HttpMethod.Put, new Uri($"/api/teams/{teamId}/handoff-policy", UriKind.Relative))
        {
            Content = JsonContent.Create(new { statSeconds = 60, asapSeconds = 120, urgentSeconds = 300, routineSeconds = 900, pingAllAtOnce = true }),
        };
        policy.Headers.Authorization = new("Bearer", _tokens[pcp]);
        using var set = await http.SendAsync(policy, ct);
        set.EnsureSuccessStatusCode();
    }

    public HubConnection Subscriber(LoadLayout layout, int group, int member) =>
        Connections.Build(_hub, _tokens[HandoffPeople.BhcOfDevice(layout, group, member)]);

    public void Listen(HubConnection connection, Action<string?> onMarker) => Connections.ListenForPings(connection, onMarker);

    /// <summary>Every device opens its user's inbox; each BHC's first device also says "available" (clearing any earlier choice).</summary>
    public async Task SubscribeAsync(HubConnection connection, LoadLayout layout, int group, int member, CancellationToken ct)
    {
        Check(await connection.InvokeAsync<BenchReply>("SubscribeInbox", ct), "SubscribeInbox");
        if (member % HandoffPeople.DevicesPerBhc == 0)
        {
            Check(await connection.InvokeAsync<BenchReply>("SetPresence", "available", ct), "SetPresence");
        }
    }

    public HubConnection Driver(LoadLayout layout, int group) => Connections.Build(_hub, _tokens[HandoffPeople.Pcp(GroupName(layout, group))]);

    /// <summary>Every device sends <c>Heartbeat</c> every 20 s, as docs/api.md asks of a client: the BHCs stay pingable however long a run is.</summary>
    public TimeSpan? KeepAliveEvery => HandoffPeople.HeartbeatEvery;

    public async Task KeepAliveAsync(HubConnection connection, CancellationToken ct) =>
        Check(await connection.InvokeAsync<BenchReply>("Heartbeat", ct), "Heartbeat");

    public async Task<bool> PublishAsync(HubConnection driver, LoadLayout layout, int group, int tag, int seq)
    {
        var teamId = GroupName(layout, group);
        var request = new BenchHandoffRequest(teamId, $"{teamId}-p", Notes.Tag(tag, seq), new BenchTarget(null, "bhc"), "urgent", Reason, null, $"bench-{tag}-{seq}");
        var reply = await driver.InvokeAsync<BenchReply>("RequestHandoff", request);
        if (reply.Ok && reply.HandoffId is { } id)
        {
            _open.Enqueue((HandoffPeople.Pcp(teamId), id));
        }

        // As the request form does when it opens: this team's next request (a round of all teams later,
        // seconds from now) is readied, so its grain's read is not on its ping's path. Not timed.
        _ = driver.InvokeAsync<BenchReply>("PrepareHandoff", $"bench-{tag}-{seq + layout.Groups}");
        return reply.Ok;
    }

    /// <summary>
    /// Cancels, as their requesters, every handoff opened since the last clean-up, so inboxes and the
    /// team's desk stay small (nothing escalates meanwhile: a run is far shorter than urgent's 5 min).
    /// </summary>
    public async Task AfterRunAsync(CancellationToken ct)
    {
        var open = new List<(string Requester, string HandoffId)>();
        while (_open.TryDequeue(out var handoff))
        {
            open.Add(handoff);
        }

        using var http = Http();
        var failed = 0;
        await Parallel.ForEachAsync(open, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (handoff, ct) =>
        {
            using var cancel = new HttpRequestMessage(HttpMethod.Post, new Uri($"/api/handoffs/{handoff.HandoffId}/cancel", UriKind.Relative))
            {
                Content = JsonContent.Create(new { reason = "bench clean-up" }),
            };
            cancel.Headers.Authorization = new("Bearer", _tokens[handoff.Requester]);
            using var response = await http.SendAsync(cancel, ct);
            if (!response.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref failed);
            }
        });

        if (failed > 0)
        {
            Console.Error.WriteLine($"  huddle: {failed} of {open.Count} handoffs could not be cancelled after the run");
        }
    }

    /// <summary>
    /// One real ping as the JSON a BHC's device receives (team 0, BHC 0, room <see cref="CaptureSeq"/> of
    /// tag 0): the baseline replays this shape so both targets send the same bytes.
    /// </summary>
    public async Task<string> CapturePingAsync(LoadLayout layout, CancellationToken ct)
    {
        await PrepareAsync(layout, ct);
        var captured = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var device = Subscriber(layout, 0, 0);
        await using var driver = Driver(layout, 0);
        device.On<JsonElement>(Connections.InboxEvent, change =>
        {
            if (change.TryGetProperty("ping", out var ping) && ping.ValueKind == JsonValueKind.True)
            {
                captured.TrySetResult(change.GetRawText());
            }
        });
        await device.StartAsync(ct);
        await driver.StartAsync(ct);
        await SubscribeAsync(device, layout, 0, 0, ct);
        if (!await PublishAsync(driver, layout, 0, 0, CaptureSeq))
        {
            throw new InvalidOperationException("The capture handoff was rejected.");
        }

        var json = await captured.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
        await AfterRunAsync(ct);
        return json;
    }

    private static void Check(BenchReply reply, string method)
    {
        if (!reply.Ok)
        {
            throw new InvalidOperationException($"{method} failed: {reply.Error}");
        }
    }

    private HttpClient Http() => new() { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
}

/// <summary>
/// The baseline for handoff pings: every target device subscribes to a group of its user
/// (<c>inbox:{userId}</c>), and per request the driver publishes the captured Huddle ping, with the
/// user, team and room swapped in, to each BHC's group as <c>HandoffInboxChanged</c>: the same bytes
/// to the same users' connections, and nothing else. <paramref name="durable"/>: the durable floor, one
/// <c>PublishDurable</c> per request that first inserts one table row (the ping's payload under a new
/// key, as a new handoff's row is inserted), then sends to each BHC's group.
/// </summary>
internal sealed class BaselineHandoffTarget(ServerProcess server, string capturedPing, string capturedTeamId, string capturedUserId, bool durable) : ILoadTarget
{
    private const string RoomMarker = "\u0001room\u0001";
    private const string TeamMarker = "\u0001team\u0001";
    private const string UserMarker = "\u0001user\u0001";
    private readonly Uri _hub = new(server.BaseAddress, "hubs/baseline");

    // The user first: the team id is part of every user id.
    private readonly string _template = capturedPing
        .Replace(capturedUserId, UserMarker, StringComparison.Ordinal)
        .Replace(capturedTeamId, TeamMarker, StringComparison.Ordinal)
        .Replace(Notes.Tag(0, HuddleHandoffTarget.CaptureSeq), RoomMarker, StringComparison.Ordinal);

    public string Name => durable ? "floor" : "baseline";

    public Task<double[]?> TakeStorageWriteTimesAsync(CancellationToken ct) =>
        durable ? server.TakeFloorWriteTimesAsync(ct) : Task.FromResult<double[]?>(null);

    public ServerProcess Server => server;

    public string GroupName(LoadLayout layout, int group) => HandoffPeople.TeamId(layout, group);

    /// <summary>The UTF-8 size of one ping (for the report).</summary>
    public int PayloadBytes => System.Text.Encoding.UTF8.GetByteCount(Ping(capturedTeamId, capturedUserId, Notes.Tag(0, 0)));

    public Task PrepareAsync(LoadLayout layout, CancellationToken ct) =>
        _template.Contains(RoomMarker, StringComparison.Ordinal) && _template.Contains(UserMarker, StringComparison.Ordinal)
            ? Task.CompletedTask
            : throw new InvalidOperationException("The captured Huddle ping does not carry the bench room and user.");

    public HubConnection Subscriber(LoadLayout layout, int group, int member) => Connections.Build(_hub, null);

    public void Listen(HubConnection connection, Action<string?> onMarker) => Connections.ListenForPings(connection, onMarker);

    public Task SubscribeAsync(HubConnection connection, LoadLayout layout, int group, int member, CancellationToken ct) =>
        connection.InvokeAsync("Subscribe", Inbox(HandoffPeople.BhcOfDevice(layout, group, member)), ct);

    public HubConnection Driver(LoadLayout layout, int group) => Connections.Build(_hub, null);

    /// <summary>The same calls at the same pace as Huddle's devices make (a hub method that does nothing), so both servers take the same messages.</summary>
    public TimeSpan? KeepAliveEvery => HandoffPeople.HeartbeatEvery;

    public Task KeepAliveAsync(HubConnection connection, CancellationToken ct) => connection.InvokeAsync("Heartbeat", ct);

    public async Task<bool> PublishAsync(HubConnection driver, LoadLayout layout, int group, int tag, int seq)
    {
        var teamId = GroupName(layout, group);
        var room = Notes.Tag(tag, seq);
        if (durable)
        {
            var users = Enumerable.Range(0, HandoffPeople.Bhcs(layout)).Select(k => HandoffPeople.Bhc(teamId, k)).ToArray();
            var payloads = users.Select(user => JsonDocument.Parse(Ping(teamId, user, room))).ToArray();
            try
            {
                // '#' may not appear in a table key.
                await driver.InvokeAsync("PublishDurable", teamId, room.Replace('#', '-'), Connections.InboxEvent, users.Select(Inbox).ToArray(), payloads.Select(p => p.RootElement).ToArray());
            }
            finally
            {
                foreach (var payload in payloads)
                {
                    payload.Dispose();
                }
            }

            return true;
        }

        await Task.WhenAll(Enumerable.Range(0, HandoffPeople.Bhcs(layout)).Select(async k =>
        {
            var user = HandoffPeople.Bhc(teamId, k);
            using var payload = JsonDocument.Parse(Ping(teamId, user, room));
            await driver.InvokeAsync("PublishEvent", Inbox(user), Connections.InboxEvent, payload.RootElement);
        }));
        return true;
    }

    private static string Inbox(string userId) => $"inbox:{userId}";

    private string Ping(string teamId, string userId, string room) => _template
        .Replace(UserMarker, userId, StringComparison.Ordinal)
        .Replace(TeamMarker, teamId, StringComparison.Ordinal)
        .Replace(RoomMarker, room, StringComparison.Ordinal);
}

/// <summary>Huddle's <c>RequestHandoff</c> argument, as far as the bench fills it.</summary>
internal sealed record BenchHandoffRequest(string TeamId, string PatientId, string Room, BenchTarget Target, string Priority, BenchSbar Reason, string? EncounterId, string OpId);

internal sealed record BenchTarget(string? UserId, string? Role);

internal sealed record BenchSbar(string Situation, string Background, string Assessment, string Recommendation);
