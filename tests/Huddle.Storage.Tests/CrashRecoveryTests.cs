using System.Net.Http.Json;
using System.Text.Json;
using Huddle.Storage.Tests.Infrastructure;
using Huddle.Testing;

namespace Huddle.Storage.Tests;

/// <summary>
/// Issue 3's promise end to end: the real web host on Azure Table storage (Azurite), killed with
/// SIGKILL in the middle of traffic across several teams, then started again. Every acknowledged
/// change is there, nothing is there twice, and each board is at the version its clients last saw
/// (or one more, when a request was in flight at the kill and its write had landed).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class CrashRecoveryTests(AzuriteFixture azurite)
{
    private const int Teams = 3;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Everything_acknowledged_before_a_hard_kill_is_there_after_restart_exactly_once()
    {
        var table = $"Crash{Guid.NewGuid():N}"[..20];
        var seededBoard = default(JsonElement);
        var logs = new TeamLog[Teams];

        await using (var first = new HuddleWebProcess(azurite.Server.ConnectionString, table))
        {
            await first.StartAsync(Ct);
            // An administrator takes a demo clinician off the demo team: the next start's seeding must keep that.
            using (var ward = await first.ClientForAsync("a-ward", Ct))
            using (var removed = await ward.DeleteAsync("api/admin/teams/team-maple/members/u-johnson", Ct))
            {
                removed.EnsureSuccessStatusCode();
            }

            using (var chen = await first.ClientForAsync("u-chen", Ct))
            {
                // (The removal took the board's next version: read after it.)
                seededBoard = await chen.GetFromJsonAsync<JsonElement>("api/teams/team-maple/board", Ct);
            }

            for (var t = 0; t < Teams; t++)
            {
                logs[t] = await CreateTeamAsync(first, t);
            }

            // Traffic on every team at once; the kill lands while requests are in flight.
            using var stop = new CancellationTokenSource();
            var traffic = logs.Select(log => DriveAsync(first, log, stop.Token)).ToArray();
            await WaitUntil(() => logs.Sum(l => l.Acked) >= 20 * Teams, TimeSpan.FromSeconds(60));
            await first.KillAsync();
            await stop.CancelAsync();
            await Task.WhenAll(traffic);
        }

        await using var second = new HuddleWebProcess(azurite.Server.ConnectionString, table);
        await second.StartAsync(Ct);

        foreach (var log in logs)
        {
            using var pcp = await second.ClientForAsync(log.Pcp, Ct);
            var board = await pcp.GetFromJsonAsync<JsonElement>($"api/teams/{log.TeamId}/board", Ct);
            var version = board.GetProperty("version").GetInt64();
            var titles = board.GetProperty("actionItems").EnumerateArray().Select(i => i.GetProperty("title").GetString()!).ToList();
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"{log.TeamId}: {log.Acked} acknowledged, last at v{log.LastAckedVersion}; in flight at the kill: {log.InFlight ?? "none"}; after restart v{version}");

            Assert.True(version == log.LastAckedVersion || version == log.LastAckedVersion + 1 && log.InFlight is not null,
                $"{log.TeamId}: version {version}, last acknowledged {log.LastAckedVersion}, in flight: {log.InFlight ?? "none"}");
            Assert.Equal(titles.Count, titles.Distinct().Count());
            Assert.Empty(log.AckedTitles.Except(titles));
            Assert.Empty(titles.Except(log.AckedTitles).Except(log.InFlight is { } f ? [f] : []));
            Assert.NotEqual(JsonValueKind.Null, board.GetProperty("session").ValueKind);

            // The next change continues from there: versions never go back after a crash.
            using var next = await pcp.PostAsJsonAsync($"api/teams/{log.TeamId}/board/addNote", new { kind = "lookBack", text = "after restart" }, Ct);
            next.EnsureSuccessStatusCode();
            Assert.Equal(version + 1, (await next.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("version").GetInt64());
        }

        // The administrator's change survived the restart and the second start's seeding, on the team and the user.
        using (var ward = await second.ClientForAsync("a-ward", Ct))
        {
            var maple = await ward.GetFromJsonAsync<JsonElement>("api/admin/teams/team-maple", Ct);
            Assert.DoesNotContain("u-johnson", maple.GetProperty("members").GetRawText(), StringComparison.Ordinal);
            var johnson = await ward.GetFromJsonAsync<JsonElement>("api/admin/users/u-johnson", Ct);
            Assert.DoesNotContain("team-maple", johnson.GetProperty("teamIds").GetRawText(), StringComparison.Ordinal);
            var listed = (await ward.GetFromJsonAsync<JsonElement>("api/admin/teams", Ct)).EnumerateArray().Select(t => t.GetProperty("teamId").GetString()).ToList();
            Assert.Contains("team-maple", listed);
            Assert.Contains("team-harbor", listed);
        }

        // The demo team was seeded once, by the first run, and not again by the second.
        using var chenAgain = await second.ClientForAsync("u-chen", Ct);
        var seededAgain = await chenAgain.GetFromJsonAsync<JsonElement>("api/teams/team-maple/board", Ct);
        Assert.Equal(seededBoard.GetProperty("version").GetInt64(), seededAgain.GetProperty("version").GetInt64());
        Assert.Equal(seededBoard.GetProperty("cards").GetArrayLength(), seededAgain.GetProperty("cards").GetArrayLength());
    }

    private static async Task<TeamLog> CreateTeamAsync(HuddleWebProcess web, int t)
    {
        var log = new TeamLog($"team-crash-{t}-{Guid.NewGuid():N}"[..24], $"u-crash-pcp-{t}", $"u-crash-bhc-{t}");
        using var response = await web.Http.PutAsJsonAsync($"api/dev/teams/{log.TeamId}", new
        {
            name = $"Crash team {t}",
            members = new[] { new { userId = log.Pcp, displayName = "Dr. Crash", role = "pcp" }, new { userId = log.Bhc, displayName = "B. Crash", role = "bhc" } },
        }, Ct);
        response.EnsureSuccessStatusCode();
        return log;
    }

    /// <summary>One clinician's steady stream of changes on one team, each recorded once acknowledged.</summary>
    private static async Task DriveAsync(HuddleWebProcess web, TeamLog log, CancellationToken stop)
    {
        using var http = await web.ClientForAsync(log.Pcp, Ct);
        var version = (await http.GetFromJsonAsync<JsonElement>($"api/teams/{log.TeamId}/board", Ct)).GetProperty("version").GetInt64();
        log.LastAckedVersion = version;
        for (var k = 0; !stop.IsCancellationRequested; k++)
        {
            var (op, args, title) = k switch
            {
                0 => ("startHuddle", (object)new { }, (string?)null),
                _ when k % 4 == 0 => ("setAttendance", new { userId = log.Bhc, present = k % 8 == 0 }, null),
                _ => ("addActionItem", new { title = $"{log.TeamId} item {k}" }, $"{log.TeamId} item {k}"),
            };
            log.InFlight = title ?? op;
            try
            {
                using var response = await http.PostAsJsonAsync($"api/teams/{log.TeamId}/board/{op}", args, stop);
                var body = await response.Content.ReadFromJsonAsync<JsonElement>(stop);
                Assert.True(response.IsSuccessStatusCode, $"{op}: {body}");
                log.LastAckedVersion = body.GetProperty("version").GetInt64();
                if (title is not null)
                {
                    log.AckedTitles.Add(title);
                }

                log.InFlight = null;
                Interlocked.Increment(ref log.Acked);
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or JsonException)
            {
                // The kill: this request may or may not have been written; InFlight says which one.
                return;
            }
        }
    }

    private static async Task WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The traffic did not reach the kill point in time.");
            }

            await Task.Delay(10, Ct);
        }
    }

    private sealed class TeamLog(string teamId, string pcp, string bhc)
    {
        public string TeamId { get; } = teamId;
        public string Pcp { get; } = pcp;
        public string Bhc { get; } = bhc;
        public long LastAckedVersion { get; set; }
        public string? InFlight { get; set; }
        public List<string> AckedTitles { get; } = [];
        public int Acked;
    }
}
