using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Huddle.Bench.Load;
using static Huddle.Bench.Scenarios.ScenarioHttp;
using Huddle.Bench.Targets;
using Microsoft.AspNetCore.SignalR.Client;

namespace Huddle.Bench.Scenarios;

/// <summary>
/// How soon a clinician an administrator takes off a team stops receiving a patient's thread (the
/// feed whose owner does not follow the roster: the web host checks it again when the person's teams
/// change). Per round, alternating which goes first: the <b>baseline</b>, a message the PCP posts to
/// the patient's thread until the BHC's connection has it (an ordinary live delivery, same server, same
/// connection); and the <b>removal</b>, the administrator's <c>DELETE /api/admin/teams/{id}/members/{bhc}</c>
/// until the BHC's connection has the thread's reset (after which nothing of it reaches them). Both from
/// the request's start, as a client sees them; then the BHC is put back and re-opens the thread.
/// </summary>
internal sealed class RevokeScenario : IScenario
{
    private const string Team = "bench-revoke";
    private const string Patient = "bench-revoke-p";
    private const string Pcp = "u-rv-pcp";
    private const string Bhc = "u-rv-bhc";
    private const string Admin = "a-ward";
    private static readonly string Thread = $"pt.{Patient}";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    public string Name => "revoke";

    public async Task<ScenarioReport> RunAsync(BenchContext context, CancellationToken ct)
    {
        var rounds = context.Options.RevokeRounds;
        await using var server = await context.StartHuddleAsync(seed: true, ct);
        await server.WaitReadyAsync(TimeSpan.FromSeconds(60), ct);
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        using (var put = await http.SendAsync(HuddleTarget.Dev(HttpMethod.Put, $"/api/dev/teams/{Team}", new
        {
            name = "Bench revoke",
            members = new[] { new { userId = Pcp, displayName = "Dr. Bench", role = "pcp" }, new { userId = Bhc, displayName = "Bench BHC", role = "bhc" } },
            displayIds = Array.Empty<string>(),
            patients = new[] { new { patientId = Patient, displayName = "Rosa Delgado", room = "Exam 3" } },
        }), ct))
        {
            put.EnsureSuccessStatusCode();
        }

        var (pcpToken, bhcToken, adminToken) = (await HuddleTarget.TokenAsync(http, Pcp, ct), await HuddleTarget.TokenAsync(http, Bhc, ct), await HuddleTarget.TokenAsync(http, Admin, ct));
        var changes = Channel.CreateUnbounded<(long At, BenchThreadChange Change)>();
        await using var bhc = Connections.Build(new Uri(server.BaseAddress, "hubs/huddle"), bhcToken);
        bhc.On<BenchThreadChange>(Connections.ThreadEvent, c => changes.Writer.TryWrite((Stopwatch.GetTimestamp(), c)));
        await bhc.StartAsync(ct);
        await SubscribeAsync(bhc, ct);

        Console.WriteLine($"  revoke: {rounds} rounds of a message delivered (baseline) and a removal from the team (Huddle), alternating");
        var (baseline, removal) = (new List<double>(), new List<double>());
        var loads = new List<double>();
        for (var round = 0; round < rounds + 2; round++)
        {
            loads.Add(Machine.OneMinute(Machine.LoadAverage()));
            var removalFirst = round % 2 == 1;
            double b, r;
            if (removalFirst)
            {
                r = await RemoveAsync(http, adminToken, changes.Reader, ct);
                await PutBackAsync(http, adminToken, bhc, changes.Reader, ct);
                b = await DeliverAsync(http, pcpToken, round, changes.Reader, ct);
            }
            else
            {
                b = await DeliverAsync(http, pcpToken, round, changes.Reader, ct);
                r = await RemoveAsync(http, adminToken, changes.Reader, ct);
                await PutBackAsync(http, adminToken, bhc, changes.Reader, ct);
            }

            // The first two rounds warm the grains and the JIT: not counted.
            if (round >= 2)
            {
                (baseline, removal) = ([.. baseline, b], [.. removal, r]);
            }
        }

        var (bs, rs) = (Spread.Of(baseline), Spread.Of(removal));
        var ratio = rs.Median / bs.Median;
        var load = Spread.Of(loads.Where(l => !double.IsNaN(l)));
        var details = new JsonObject
        {
            ["rounds"] = rounds,
            ["storage"] = context.Durable ? "azure" : "memory",
            ["baseline_message_ms"] = Json(bs),
            ["removal_to_reset_ms"] = Json(rs),
            ["ratio_median"] = Math.Round(ratio, 2),
            ["loadavg_1m"] = Json(load),
        };
        var table = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"{"",-34}{"median",10}{"min",10}{"max",10}")
            .AppendLine(CultureInfo.InvariantCulture, $"{"message delivered (baseline), ms",-34}{bs.Median,10:0.0}{bs.Min,10:0.0}{bs.Max,10:0.0}")
            .AppendLine(CultureInfo.InvariantCulture, $"{"removal → thread reset, ms",-34}{rs.Median,10:0.0}{rs.Min,10:0.0}{rs.Max,10:0.0}")
            .AppendLine(CultureInfo.InvariantCulture, $"removal ÷ baseline (medians): ×{ratio:0.00}; load average (1 min) {load.Min:0.00}-{load.Max:0.00}")
            .ToString();
        return new ScenarioReport(Name, table, details, new Dictionary<string, double>
        {
            ["revoke_removal_p50_ms"] = Math.Round(rs.Median, 1),
            ["revoke_removal_max_ms"] = Math.Round(rs.Max, 1),
            ["revoke_baseline_p50_ms"] = Math.Round(bs.Median, 1),
            ["revoke_ratio"] = Math.Round(ratio, 2),
        });
    }

    private static async Task SubscribeAsync(HubConnection bhc, CancellationToken ct)
    {
        var reply = await bhc.InvokeAsync<JsonElement>("SubscribeThread", Thread, ct);
        if (!reply.GetProperty("ok").GetBoolean())
        {
            throw new InvalidOperationException($"The BHC could not open the patient's thread: {reply}");
        }
    }

    private static async Task<double> DeliverAsync(HttpClient http, string token, int round, ChannelReader<(long At, BenchThreadChange Change)> changes, CancellationToken ct)
    {
        var text = $"Bench message {round}";
        var start = Stopwatch.GetTimestamp();
        using (var sent = await SendAsync(http, HttpMethod.Post, $"/api/threads/{Thread}/messages", token, new { clientMessageId = $"rv-{round}-{Guid.NewGuid():N}"[..24], text }, ct))
        {
            sent.EnsureSuccessStatusCode();
        }

        return await UntilAsync(changes, c => c.Message?.Text == text, start, "the message", ct);
    }

    private static async Task<double> RemoveAsync(HttpClient http, string adminToken, ChannelReader<(long At, BenchThreadChange Change)> changes, CancellationToken ct)
    {
        var start = Stopwatch.GetTimestamp();
        using (var removed = await SendAsync(http, HttpMethod.Delete, $"/api/admin/teams/{Team}/members/{Bhc}", adminToken, null, ct))
        {
            removed.EnsureSuccessStatusCode();
        }

        return await UntilAsync(changes, c => c.Reset && c.ThreadId == Thread, start, "the thread's reset", ct);
    }

    private static async Task PutBackAsync(HttpClient http, string adminToken, HubConnection bhc, ChannelReader<(long At, BenchThreadChange Change)> changes, CancellationToken ct)
    {
        using (var back = await SendAsync(http, HttpMethod.Put, $"/api/admin/teams/{Team}/members/{Bhc}", adminToken, new { role = "bhc" }, ct))
        {
            back.EnsureSuccessStatusCode();
        }

        await SubscribeAsync(bhc, ct);
        while (changes.TryRead(out _))
        {
        }
    }

    private static async Task<double> UntilAsync(ChannelReader<(long At, BenchThreadChange Change)> changes, Func<BenchThreadChange, bool> match, long start, string what, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Wait);
        try
        {
            while (true)
            {
                var (at, change) = await changes.ReadAsync(timeout.Token);
                if (match(change))
                {
                    return Stopwatch.GetElapsedTime(start, at).TotalMilliseconds;
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"revoke: {what} did not arrive within {Wait.TotalSeconds:0} s.");
        }
    }

}
