using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Huddle.Storage.Tests.Infrastructure;
using Huddle.Testing;

namespace Huddle.Storage.Tests;

/// <summary>
/// Issue 14's fault promise for warm handoffs, end to end: two web hosts in one cluster on Azure
/// Table storage (Azurite), a PCP's and two BHCs' clients writing handoff steps through either host,
/// and the hosts SIGKILLed in turn (the first, then, once it is back, the second) while they write.
/// A client retries a step that got no answer with the same op id on the other host, as docs/api.md
/// says it may. Afterwards every acknowledged step has reached everyone it promised to: the named
/// BHC's inbox (the ping), the requester's inbox, the team's desk and the patient's handoffs — each
/// at the step the client was told, none left behind at an earlier one.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class HandoffKillInTurnTests(AzuriteFixture azurite)
{
    private const int MaxHandoffs = 72;
    private static readonly TimeSpan StepBudget = TimeSpan.FromSeconds(150);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task With_two_hosts_sigkilled_in_turn_every_acknowledged_step_reaches_the_inboxes_the_desk_and_the_patient()
    {
        var tables = $"KillTurn{Guid.NewGuid():N}"[..20];
        var n = Guid.NewGuid().ToString("N")[..8];
        var (teamId, pcp, patient) = ($"team-kt-{n}", $"u-pcp-{n}", $"p-kt-{n}");
        string[] bhcs = [$"u-bhc1-{n}", $"u-bhc2-{n}"];
        var settings = new Dictionary<string, string>
        {
            ["Huddle__Clustering__Provider"] = "AzureTable",
            ["Huddle__Orleans__ClusterId"] = $"killturn-{n}",
        };
        await using var first = new HuddleWebProcess(azurite.Server.ConnectionString, tables, settings);
        await using var second = new HuddleWebProcess(azurite.Server.ConnectionString, tables, settings);
        HuddleWebProcess[] hosts = [first, second];
        await first.StartAsync(Ct);
        await second.StartAsync(Ct);

        using (var created = await first.Http.PutAsJsonAsync($"api/dev/teams/{teamId}", new
        {
            name = "Kill-in-turn team",
            members = new[]
            {
                new { userId = pcp, displayName = "Dr. Pat Carter", role = "pcp" },
                new { userId = bhcs[0], displayName = "Sam Okafor", role = "bhc" },
                new { userId = bhcs[1], displayName = "Lee Varga", role = "bhc" },
            },
            patients = new[] { new { patientId = patient, displayName = "Alma Reyes", room = "Exam 3" } },
        }, Ct))
        {
            created.EnsureSuccessStatusCode();
        }

        // Tokens are signed with the key ring the hosts share on this storage, so each works on either host.
        var tokens = new Dictionary<string, string>();
        foreach (var user in bhcs.Prepend(pcp))
        {
            using var client = await first.ClientForAsync(user, Ct);
            tokens[user] = client.DefaultRequestHeaders.Authorization!.Parameter!;
        }

        // What each client was told: a handoff's last acknowledged status, in the order it was told.
        var acked = new ConcurrentDictionary<string, (string Bhc, string Status)>();
        var turn = 0;

        async Task<JsonElement> StepAsync(string user, string path, object body, string what)
        {
            // A step with no answer (the host died under it, the cluster has not noticed yet) is retried
            // with the same op id through the other host, then the first again, until one answers.
            var deadline = DateTimeOffset.UtcNow + StepBudget;
            var failures = new List<string>();
            while (DateTimeOffset.UtcNow < deadline)
            {
                var host = hosts[Interlocked.Increment(ref turn) % hosts.Length];
                try
                {
                    using var http = new HttpClient { BaseAddress = host.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(20) };
                    http.DefaultRequestHeaders.Authorization = new("Bearer", tokens[user]);
                    using var response = await http.PostAsJsonAsync(path, body, Ct);
                    if (response.IsSuccessStatusCode)
                    {
                        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
                    }

                    var text = await response.Content.ReadAsStringAsync(Ct);
                    if ((int)response.StatusCode is >= 400 and < 500 && response.StatusCode != HttpStatusCode.RequestTimeout)
                    {
                        Assert.Fail($"{what}: refused with {(int)response.StatusCode} {text}");
                    }

                    failures.Add($"{(int)response.StatusCode}");
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !Ct.IsCancellationRequested)
                {
                    failures.Add(ex.GetType().Name);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(50), Ct);
            }

            Assert.Fail($"{what}: no host answered in {StepBudget.TotalSeconds} s ({string.Join(", ", failures.TakeLast(8))})");
            return default;
        }

        var nemesisDone = false;
        async Task WriteAsync()
        {
            for (var i = 0; !Volatile.Read(ref nemesisDone); i++)
            {
                Assert.True(i < MaxHandoffs, $"{MaxHandoffs} handoffs written and the nemesis is not done; the inbox keeps only 20 closed ones.");
                // A clinician's pace, not a flood: a restart under load takes tens of seconds.
                await Task.Delay(TimeSpan.FromMilliseconds(250), Ct);
                var bhc = bhcs[i % 2];
                var requested = await StepAsync(pcp, "api/handoffs", new
                {
                    teamId,
                    patientId = patient,
                    room = "Exam 3",
                    target = new { userId = bhc },
                    priority = "routine",
                    reason = new { situation = "PHQ-9 of 16 today" },
                    opId = $"req-{i}",
                }, $"request {i}");
                var id = requested.GetProperty("handoffId").GetString()!;
                acked[id] = (bhc, requested.GetProperty("status").GetString()!);
                // A quarter stay requested, half end accepted, a quarter completed: every kind of open and
                // closed item, and never more closed ones than an inbox keeps (20).
                if (i % 4 == 0)
                {
                    continue;
                }

                var accepted = await StepAsync(bhc, $"api/handoffs/{id}/accept", new { etaMinutes = 3, opId = $"acc-{i}" }, $"accept {i}");
                acked[id] = (bhc, accepted.GetProperty("status").GetString()!);
                if (i % 4 != 3)
                {
                    continue;
                }

                await StepAsync(bhc, $"api/handoffs/{id}/join", new { opId = $"join-{i}" }, $"join {i}");
                var completed = await StepAsync(bhc, $"api/handoffs/{id}/complete", new { opId = $"done-{i}" }, $"complete {i}");
                acked[id] = (bhc, completed.GetProperty("status").GetString()!);
            }
        }

        // The nemesis, while the clients write: the first host SIGKILLed once three handoffs are through,
        // started again at once (as a supervisor would); once three more are through, the second the same
        // way; then three more, and the writes stop.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        void Log(string what) => TestContext.Current.TestOutputHelper?.WriteLine($"{clock.Elapsed.TotalSeconds,6:0.0} s  {what} ({acked.Count} handoffs acknowledged)");
        var writing = WriteAsync();
        async Task ThreeMoreAsync()
        {
            var target = acked.Count + 3;
            await Eventually.Until(() => Task.FromResult(acked.Count >= target || writing.IsCompleted), StepBudget * 2, $"{target} handoffs written");
            Assert.False(writing.IsCompleted, $"The writes ended early: {(writing.IsFaulted ? writing.Exception!.InnerException!.Message : "")}");
        }

        foreach (var host in hosts)
        {
            await ThreeMoreAsync();
            await host.KillAsync();
            Log($"host on port {host.Port} killed");
            await host.StartAsync(Ct);
            Log($"host on port {host.Port} started again");
        }

        await ThreeMoreAsync();
        Volatile.Write(ref nemesisDone, true);
        await writing;
        Log("writes done");
        Assert.Equal(["accepted", "completed", "requested"], acked.Values.Select(a => a.Status).Distinct().Order());

        // Everything a step promised arrives at least once (the outbox retries after a kill); read
        // through either host until it has, then every copy must hold exactly the acknowledged step.
        async Task<JsonElement> ReadAsync(string user, string path)
        {
            using var http = new HttpClient { BaseAddress = hosts[Interlocked.Increment(ref turn) % hosts.Length].Http.BaseAddress, Timeout = TimeSpan.FromSeconds(20) };
            http.DefaultRequestHeaders.Authorization = new("Bearer", tokens[user]);
            return await http.GetFromJsonAsync<JsonElement>(path, Ct);
        }

        static Dictionary<string, string> StatusById(IEnumerable<JsonElement> items) =>
            items.ToDictionary(i => i.GetProperty("handoffId").GetString()!, i => i.GetProperty("status").GetString()!);

        var open = acked.Where(a => a.Value.Status != "completed").ToDictionary(a => a.Key, a => a.Value.Status);
        string Differences(Dictionary<string, string> expected, Dictionary<string, string> actual) =>
            string.Join("; ", expected.Where(e => actual.GetValueOrDefault(e.Key) != e.Value).Select(e => $"{e.Key}: acked {e.Value}, shown {actual.GetValueOrDefault(e.Key) ?? "nothing"}"));

        var lastSeen = "";
        // A tell owed by an activation that died is carried by its reminder (due within a minute, then
        // fired by whichever silo owns it once the dead one is declared gone): 3 minutes leave room for
        // both under a loaded machine.
        await Eventually.Until(async () =>
        {
            try
            {
                var problems = new List<string>();
                foreach (var bhc in bhcs)
                {
                    var expected = acked.Where(a => a.Value.Bhc == bhc).ToDictionary(a => a.Key, a => a.Value.Status);
                    var inbox = await ReadAsync(bhc, "api/inbox");
                    var shown = StatusById(inbox.GetProperty("snapshot").GetProperty("items").EnumerateArray());
                    problems.Add(Differences(expected, shown) is { Length: > 0 } d ? $"{bhc}'s inbox: {d}" : "");
                }

                var requester = StatusById((await ReadAsync(pcp, "api/inbox")).GetProperty("snapshot").GetProperty("items").EnumerateArray());
                problems.Add(Differences(acked.ToDictionary(a => a.Key, a => a.Value.Status), requester) is { Length: > 0 } r ? $"the requester's inbox: {r}" : "");

                var desk = StatusById((await ReadAsync(pcp, $"api/teams/{teamId}/handoffs")).GetProperty("snapshot").GetProperty("items").EnumerateArray());
                problems.Add(Differences(open, desk) is { Length: > 0 } o ? $"the desk: {o}" : "");
                problems.Add(desk.Keys.Except(open.Keys).ToList() is { Count: > 0 } closed ? $"the desk still shows closed {string.Join(", ", closed)}" : "");

                var history = StatusById((await ReadAsync(pcp, $"api/patients/{patient}/handoffs")).EnumerateArray());
                problems.Add(Differences(acked.ToDictionary(a => a.Key, a => a.Value.Status), history) is { Length: > 0 } p ? $"the patient: {p}" : "");

                lastSeen = string.Join(" | ", problems.Where(p => p.Length > 0));
                return lastSeen.Length == 0;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException && !Ct.IsCancellationRequested)
            {
                lastSeen = ex.Message;
                return false;
            }
        }, TimeSpan.FromSeconds(180), () => $"every acknowledged step delivered everywhere; still: {lastSeen}");
        Log("every acknowledged step delivered everywhere");
    }
}
