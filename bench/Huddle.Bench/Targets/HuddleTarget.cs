using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace Huddle.Bench.Targets;

/// <summary>
/// Huddle's real path: a driver calls Execute(teamId, "setCardNote", …) on the hub; the team grain
/// applies, stores and publishes the change; the host's relay fans it out to the board group.
/// </summary>
internal sealed class HuddleTarget(ServerProcess server) : ILoadTarget
{
    private static readonly string[] Roles = ["pcp", "bhc", "careManager", "nurse", "medicalAssistant", "socialWorker", "pharmacist"];
    private readonly ConcurrentDictionary<string, string> _tokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _cardIds = new(StringComparer.Ordinal);
    private readonly HashSet<string> _prepared = new(StringComparer.Ordinal);
    private readonly Uri _hub = new(server.BaseAddress, "hubs/huddle");

    /// <summary>The note the captured change carries (differs from the card's initial note, so the card does change).</summary>
    public const int CaptureSeq = 1;

    public string Name => "huddle";

    public ServerProcess Server => server;

    public string GroupName(LoadLayout layout, int group) => $"bench-{layout.Key}-{group}";

    private static string MemberId(string teamId, int member) => $"{teamId}-m{member}";

    private static string DriverId(string teamId) => $"{teamId}-d";

    public async Task PrepareAsync(LoadLayout layout, CancellationToken ct)
    {
        if (!_prepared.Add(layout.Key))
        {
            return;
        }

        using var http = Http();
        // Teams one after another (each PUT writes its users in sequence), tokens in parallel.
        var teamIds = Enumerable.Range(0, layout.Groups).Select(g => GroupName(layout, g)).ToArray();
        await PutTeamsAsync(http, teamIds, teamId => Enumerable.Range(0, layout.PerGroup)
            .Select(m => new BenchMember(MemberId(teamId, m), $"Clinician {m}", Roles[m % Roles.Length]))
            .Append(new BenchMember(DriverId(teamId), "Bench driver", "careManager")), null, ct);

        var users = teamIds.SelectMany(t => Enumerable.Range(0, layout.PerGroup).Select(m => MemberId(t, m)).Append(DriverId(t))).ToArray();
        await Parallel.ForEachAsync(users, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (user, ct) =>
        {
            _tokens[user] = await TokenAsync(http, user, ct);
        });

        // One typical card per board (owner, due date, flags, note): the card each update rewrites.
        foreach (var teamId in teamIds)
        {
            _cardIds[teamId] = await EnsureCardAsync(http, teamId, ct);
        }
    }

    public HubConnection Subscriber(LoadLayout layout, int group, int member) =>
        Connections.Build(_hub, _tokens[MemberId(GroupName(layout, group), member)]);

    public void Listen(HubConnection connection, Action<string?> onMarker) => Connections.ListenForChanges(connection, onMarker);

    public async Task SubscribeAsync(HubConnection connection, LoadLayout layout, int group, int member, CancellationToken ct)
    {
        var reply = await connection.InvokeAsync<BenchReply>("SubscribeBoard", GroupName(layout, group), ct);
        if (!reply.Ok)
        {
            throw new InvalidOperationException($"SubscribeBoard failed: {reply.Error}");
        }
    }

    public HubConnection Driver(LoadLayout layout, int group) =>
        Connections.Build(_hub, _tokens[DriverId(GroupName(layout, group))]);

    public async Task<bool> PublishAsync(HubConnection driver, LoadLayout layout, int group, int tag, int seq)
    {
        var teamId = GroupName(layout, group);
        var reply = await driver.InvokeAsync<BenchReply>("Execute", teamId, "setCardNote", new NoteArgs(_cardIds[teamId], Notes.Format(tag, seq)));
        return reply.Ok;
    }

    /// <summary>
    /// One real BoardChanged for a setCardNote, as the JSON a subscriber receives: the baseline
    /// replays this shape so both targets send the same bytes.
    /// </summary>
    public async Task<string> CaptureChangeAsync(LoadLayout layout, CancellationToken ct)
    {
        await PrepareAsync(layout, ct);
        var captured = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscriber = Subscriber(layout, 0, 0);
        await using var driver = Driver(layout, 0);
        subscriber.On<JsonElement>("BoardChanged", change => captured.TrySetResult(change.GetRawText()));
        await subscriber.StartAsync(ct);
        await driver.StartAsync(ct);
        await SubscribeAsync(subscriber, layout, 0, 0, ct);
        if (!await PublishAsync(driver, layout, 0, 0, CaptureSeq))
        {
            throw new InvalidOperationException("The capture update was rejected.");
        }

        return await captured.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
    }

    /// <summary>
    /// Creates (or replaces) each team with its <paramref name="members"/> and one patient, <c>{teamId}-p</c>
    /// in Exam 3, 8 at a time (each PUT writes its users in sequence), then runs <paramref name="then"/> for it.
    /// </summary>
    public static Task PutTeamsAsync(HttpClient http, IEnumerable<string> teamIds, Func<string, IEnumerable<BenchMember>> members, Func<string, CancellationToken, Task>? then, CancellationToken ct) =>
        Parallel.ForEachAsync(teamIds, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (teamId, ct) =>
        {
            await PutTeamAsync(http, teamId, members(teamId), ct);
            if (then is not null)
            {
                await then(teamId, ct);
            }
        });

    private static async Task PutTeamAsync(HttpClient http, string teamId, IEnumerable<BenchMember> members, CancellationToken ct)
    {
        var team = new
        {
            name = $"Bench {teamId}",
            members = members.ToArray(),
            displayIds = Array.Empty<string>(),
            patients = new[] { new { patientId = $"{teamId}-p", displayName = "Rosa Delgado", room = "Exam 3" } },
        };
        using var put = await http.SendAsync(Dev(HttpMethod.Put, $"/api/dev/teams/{teamId}", team), ct);
        put.EnsureSuccessStatusCode();
    }

    /// <summary>The dev API's token on every Huddle server the bench starts (<see cref="Scenarios.BenchContext"/> sets it).</summary>
    public static readonly string DevToken = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    /// <summary>A request to the dev API (<paramref name="path"/>) with <paramref name="body"/> as JSON and the dev token.</summary>
    public static HttpRequestMessage Dev(HttpMethod method, string path, object body)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Huddle-Dev-Token", DevToken);
        return request;
    }

    /// <summary>Signs in <paramref name="userId"/> through the development token endpoint.</summary>
    public static async Task<string> TokenAsync(HttpClient http, string userId, CancellationToken ct)
    {
        using var response = await http.SendAsync(Dev(HttpMethod.Post, "/api/dev/token", new { userId }), ct);
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return body.RootElement.GetProperty("accessToken").GetString()!;
    }

    private async Task<string> EnsureCardAsync(HttpClient http, string teamId, CancellationToken ct)
    {
        var token = _tokens[DriverId(teamId)];
        if (await FirstCardAsync(http, teamId, token, ct) is { } existing)
        {
            return existing;
        }

        await PostOpAsync(http, teamId, token, "addCard", new { patientId = $"{teamId}-p", laneId = "lane-1", ownerId = MemberId(teamId, 0), due = DateOnly.FromDateTime(DateTime.UtcNow), note = Notes.Format(0, 0) }, ct);
        var cardId = await FirstCardAsync(http, teamId, token, ct) ?? throw new InvalidOperationException($"No card on {teamId} after addCard.");
        await PostOpAsync(http, teamId, token, "setCardFlags", new { cardId, flags = new object[] { new { kind = "phq9", detail = "18 ↑" }, new { kind = "needsPsychReview", detail = (string?)null } } }, ct);
        return cardId;
    }

    private static async Task<string?> FirstCardAsync(HttpClient http, string teamId, string token, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"/api/teams/{teamId}/board", UriKind.Relative));
        request.Headers.Authorization = new("Bearer", token);
        using var response = await http.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
        using var board = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        var cards = board.RootElement.GetProperty("cards");
        return cards.GetArrayLength() > 0 ? cards[0].GetProperty("id").GetString() : null;
    }

    private static async Task PostOpAsync(HttpClient http, string teamId, string token, string op, object args, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/api/teams/{teamId}/board/{op}", UriKind.Relative))
        {
            Content = JsonContent.Create(args),
        };
        request.Headers.Authorization = new("Bearer", token);
        using var response = await http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{op} on {teamId} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        }
    }

    private HttpClient Http() => new() { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
}
