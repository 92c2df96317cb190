using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;
using Huddle.Contracts.Boards;
using Huddle.Contracts.Chat;
using Huddle.Contracts.Common;
using Huddle.Testing;
using Huddle.Web.Http;
using Huddle.Web.Live;
using Huddle.Web.Security;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Huddle.Web.Tests;

/// <summary>
/// A flooding client is limited and a too-big message refused, while other clients on the same host
/// carry on (docs/security.md, "Rate limits and the message cap"). On a host with the production limits:
/// 100 hub calls a minute per connection, 300 per user, 300 API requests a minute per user.
/// </summary>
public sealed class RateLimitTests(HuddleRateLimitedAppFixture app) : IClassFixture<HuddleRateLimitedAppFixture>
{
    /// <summary>One more token every 60 s / rate: the most a limit can let through in <paramref name="elapsed"/> after its burst.</summary>
    private static int Refilled(TimeSpan elapsed, int perMinute) => (int)Math.Ceiling(elapsed / (TimeSpan.FromMinutes(1) / perMinute)) + 1;

    private static Task<Result<CommandOutcome>> Rename(HubClient client, string teamId, string title) =>
        client.ExecuteAsync(teamId, "renameLane", new { laneId = "lane-1", title });

    [Fact]
    public async Task A_flood_on_one_connection_is_refused_with_rate_limited_doing_nothing_while_another_client_is_served()
    {
        var team = await app.CreateTeamAsync();
        await using var flooder = await HubClient.ConnectAsync(app, team.Pcp);
        await using var calm = await HubClient.ConnectAsync(app, team.Bhc);
        var start = (await calm.OpenAsync(team.TeamId)).Version;

        // 250 calls sent without waiting for replies (a script or a stuck retry loop), and meanwhile a
        // teammate's ten calls on their own connection.
        var clock = Stopwatch.StartNew();
        var flood = Enumerable.Range(0, 250).Select(i => Rename(flooder, team.TeamId, $"Flood {i}")).ToList();
        var calmReplies = new List<Result<CommandOutcome>>();
        for (var i = 0; i < 10; i++)
        {
            calmReplies.Add(await calm.ExecuteAsync(team.TeamId, "addNote", new { kind = "lookAhead", text = $"Calm note {i}" }));
        }

        var replies = await Task.WhenAll(flood);
        var elapsed = clock.Elapsed;

        Assert.All(calmReplies, r => Assert.True(r.Ok, $"The teammate's call was refused during another's flood: {r.Error?.Code} {r.Error?.Message}"));
        var accepted = replies.Count(r => r.Ok);
        var refused = replies.Where(r => !r.Ok).Select(r => r.Error!).ToList();
        Assert.All(refused, e => Assert.Equal(ErrorCodes.RateLimited, e.Code));
        Assert.InRange(accepted, 100, 100 + Refilled(elapsed, 100));
        Assert.Matches(@"^Too many calls from this connection: at most 100 a minute\. Nothing was done; try again in \d+ s\.$", refused[0].Message);

        // A refused call did nothing: the board moved once per accepted call and per teammate's note.
        using var http = await app.HttpAsAsync(team.Bhc);
        var board = await http.GetFromJsonAsync<HuddleBoard>($"api/teams/{team.TeamId}/board", HuddleJson.Options);
        Assert.Equal(start + accepted + 10, board!.Version);

        // The connection stays open: a client that slows down carries on after the wait it was told.
        Assert.Equal(HubConnectionState.Connected, flooder.Hub.State);
        await Eventually.Until(async () => (await Rename(flooder, team.TeamId, "Slower now")).Ok, HubClient.Timeout, "a call after the wait to be accepted");
    }

    [Fact]
    public async Task A_users_connections_together_are_limited_and_another_user_is_not()
    {
        var team = await app.CreateTeamAsync();
        var connections = new List<HubClient>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                connections.Add(await HubClient.ConnectAsync(app, team.Pcp));
            }

            // 4 × 90 calls: each connection under its own 100, the user over 300.
            var clock = Stopwatch.StartNew();
            var replies = await Task.WhenAll(connections.SelectMany((c, n) => Enumerable.Range(0, 90).Select(i => Rename(c, team.TeamId, $"C{n} {i}"))));
            var elapsed = clock.Elapsed;
            var refused = replies.Where(r => !r.Ok).Select(r => r.Error!).ToList();
            Assert.All(refused, e => Assert.Equal(ErrorCodes.RateLimited, e.Code));
            Assert.InRange(replies.Count(r => r.Ok), 300, 300 + Refilled(elapsed, 300));
            Assert.Contains(refused, e => e.Message.StartsWith("Too many calls from this user's connections: at most 300 a minute.", StringComparison.Ordinal));

            await using var bhc = await HubClient.ConnectAsync(app, team.Bhc);
            Assert.True((await Rename(bhc, team.TeamId, "Another user")).Ok);
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task An_api_flood_gets_429_with_rate_limited_and_retry_after_while_another_user_gets_answers()
    {
        var team = await app.CreateTeamAsync();
        using var pcp = await app.HttpAsAsync(team.Pcp);
        using var bhc = await app.HttpAsAsync(team.Bhc);
        var clock = Stopwatch.StartNew();
        var responses = new List<HttpResponseMessage>();
        for (var batch = 0; batch < 8; batch++)
        {
            responses.AddRange(await Task.WhenAll(Enumerable.Range(0, 45).Select(_ => pcp.GetAsync($"api/teams/{team.TeamId}/board"))));
        }

        var elapsed = clock.Elapsed;
        using var other = await bhc.GetAsync($"api/teams/{team.TeamId}/board");
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);

        var ok = responses.Count(r => r.StatusCode == HttpStatusCode.OK);
        var limited = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.Equal(responses.Count, ok + limited.Count);
        Assert.InRange(ok, 300, 300 + Refilled(elapsed, 300));
        var problem = await limited[0].Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(ErrorCodes.RateLimited, problem.GetProperty("code").GetString());
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
        Assert.True(limited[0].Headers.RetryAfter?.Delta is { TotalSeconds: >= 1 }, "A 429 says when to try again (Retry-After).");
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task A_hub_message_over_64_KB_closes_the_senders_connection_only_and_does_nothing()
    {
        var team = await app.CreateTeamAsync();
        var threadId = ThreadIds.ForPatient(team.Patients[0])!;
        await using var watcher = await HubClient.ConnectAsync(app, team.Bhc);
        await watcher.OpenAsync(team.TeamId);
        await using var sender = await app.HubAsAsync(team.Pcp);
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        sender.Closed += ex => { closed.TrySetResult(ex); return Task.CompletedTask; };

        // Within the cap (60 KB of text: SignalR's own default of 32 KB would close here), a text over the
        // chat's limit is an answer (validation_failed), not a closed connection.
        var tooLong = await sender.InvokeAsync<Result<MessageSent>>(nameof(HuddleHub.SendMessage), threadId, new SendMessage("c-long", new string('x', 60 * 1024)));
        Assert.Equal(ErrorCodes.ValidationFailed, tooLong.Error?.Code);
        Assert.Equal(HubConnectionState.Connected, sender.State);

        // Over the cap: SignalR refuses the frame and closes that connection.
        var huge = new SendMessage("c-huge", new string('x', HuddleApp.MaxHubMessageBytes + 1024));
        await Assert.ThrowsAnyAsync<Exception>(() => sender.InvokeAsync<Result<MessageSent>>(nameof(HuddleHub.SendMessage), threadId, huge));
        await closed.Task.WaitAsync(HubClient.Timeout);
        Assert.Equal(HubConnectionState.Disconnected, sender.State);

        // Nothing was stored, and the other connection on the host still gets its changes.
        using var http = await app.HttpAsAsync(team.Bhc);
        using var thread = await http.GetAsync($"api/threads/{threadId}");
        Assert.DoesNotContain("xxxxxxxx", await thread.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await using var pcp = await HubClient.ConnectAsync(app, team.Pcp);
        var version = await pcp.DoAsync(team.TeamId, "renameLane", new { laneId = "lane-1", title = "After the big message" });
        Assert.Equal(version, (await watcher.NextAsync("the teammate's change after the refused message")).Version);
    }

    [Fact]
    public async Task A_pages_circuit_over_its_rate_waits_for_its_turn_and_is_never_refused_nor_counted_against_its_users_hub_calls()
    {
        // 60 a minute for the user's pages together: a burst of 60, then one a second. Their hub calls: 10 a minute.
        var options = RateLimitOptions.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{RateLimitOptions.Section}:CircuitCallsPerUser"] = "60",
            [$"{RateLimitOptions.Section}:HubCallsPerUser"] = "10",
        }).Build());
        using var limits = new HuddleRateLimits(options);
        var filter = new HubRateLimitFilter(limits, NullLogger<HubRateLimitFilter>.Instance);
        var circuit = HubInvocations.Of(new PageHub(), PageHub.Dispatch, "circuit-1", "u-typist");
        var served = 0;
        ValueTask<object?> Next(HubInvocationContext _)
        {
            Interlocked.Increment(ref served);
            return ValueTask.FromResult<object?>(null);
        }

        // 63 calls (a key pressed 20 times, say): the burst at once, then three in turn, each waiting for a
        // token. Before, a page's calls shared the hub's 100 a minute and the user's 300, and the rest were
        // refused: typed text lost, and a refused render acknowledgement froze the page.
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 63; i++)
        {
            await filter.InvokeMethodAsync(circuit, Next);
        }

        Assert.Equal(63, served);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.5), $"63 calls at 60 a minute took {clock.Elapsed}: the last three did not wait");

        // Another page of the same user draws on the same allowance: the bucket is empty and refills one a
        // second, so three calls at once from it wait their turns too (more pages add none). Served at once
        // would be an allowance of its own; a test thread held up for a second or two before them may find a
        // token or two refilled, so the check is that they were not all served at once.
        var secondPage = HubInvocations.Of(new PageHub(), PageHub.Dispatch, "circuit-2", "u-typist");
        var waiting = Enumerable.Range(0, 3).Select(_ => filter.InvokeMethodAsync(secondPage, Next).AsTask()).ToList();
        Assert.True(waiting.Any(w => !w.IsCompleted), "the user's second page was served at once, from an allowance of its own");
        await Task.WhenAll(waiting);
        Assert.Equal(66, served);

        // The user's hub calls are their own: a HuddleHub call by the same user is still served.
        var hub = HubInvocations.Of(new HuddleHub(null!), PageHub.Dispatch, "hub-1", "u-typist");
        for (var i = 0; i < 10; i++)
        {
            Assert.Null(await filter.InvokeMethodAsync(hub, Next));
        }

        Assert.Equal(76, served);
    }

    /// <summary>A hub that is not <see cref="HuddleHub"/>, as Blazor's own is to the filter; its one method stands for any of Blazor's.</summary>
    private sealed class PageHub : Hub
    {
        public static readonly MethodInfo Dispatch = typeof(PageHub).GetMethod(nameof(DispatchEvent))!;

        public static void DispatchEvent()
        {
        }
    }

    [Fact]
    public void The_limits_default_to_the_documented_rates_and_a_nonsense_setting_stops_the_start()
    {
        var defaults = RateLimitOptions.From(new ConfigurationBuilder().Build());
        Assert.Equal((100, 300, 300, 3_000), (defaults.HubCallsPerConnection, defaults.HubCallsPerUser, defaults.ApiRequestsPerUser, defaults.CircuitCallsPerUser));

        // 100 a minute: one token every 600 ms; a large rate refills several per 100 ms heartbeat.
        var slow = RateLimitOptions.Bucket(100);
        Assert.Equal((100, 1, TimeSpan.FromMilliseconds(600)), (slow.TokenLimit, slow.TokensPerPeriod, slow.ReplenishmentPeriod));
        var fast = RateLimitOptions.Bucket(60_000);
        Assert.Equal((60_000, 100, TimeSpan.FromMilliseconds(100)), (fast.TokenLimit, fast.TokensPerPeriod, fast.ReplenishmentPeriod));

        foreach (var bad in new[] { "0", "-5", "2000000" })
        {
            var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [$"{RateLimitOptions.Section}:HubCallsPerUser"] = bad }).Build();
            var error = Assert.Throws<InvalidOperationException>(() => RateLimitOptions.From(config));
            Assert.Contains("Huddle:Security:RateLimits:HubCallsPerUser", error.Message, StringComparison.Ordinal);
        }
    }
}
