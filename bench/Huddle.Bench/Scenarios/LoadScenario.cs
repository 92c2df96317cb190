using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HdrHistogram;
using Huddle.Bench.Load;
using Huddle.Bench.Targets;

namespace Huddle.Bench.Scenarios;

/// <summary>The two targets of a load scenario and the size of one delivery's payload.</summary>
internal sealed record LoadTargets(ILoadTarget Huddle, ILoadTarget Baseline, int PayloadBytes);

/// <summary>
/// What a load scenario drives and how its figures are named: board changes to board subscribers, or
/// handoff pings to target devices. <see cref="Group"/>, <see cref="Member"/> and <see cref="Update"/>
/// word the console line and the detail keys ("boards", "subscribers_per_board", "updates_per_s").
/// </summary>
internal sealed record LoadKind(
    string Prefix,
    string Group,
    string Member,
    string Update,
    Func<BenchContext, LoadLayout, CancellationToken, Task<LoadTargets>> Targets,
    Func<LoadLayout, JsonObject>? Extra = null,
    bool DropHuddlePrefix = false,
    string? DurableStem = null)
{
    /// <summary>Board changes (<c>fanout</c>, <c>teams</c>); headline keys get <paramref name="prefix"/>.</summary>
    public static LoadKind Boards(string prefix) => new(prefix, "board", "subscribers", "updates", async (context, layout, ct) =>
    {
        var (huddle, baseline) = await context.LoadTargetsAsync(layout, ct);
        return new LoadTargets(huddle, baseline, context.PayloadBytes);
    });

    /// <summary>
    /// Handoff pings (<c>handoff</c>): Huddle's own keys drop "huddle_" (<c>handoff_p99_ms</c>), the
    /// baseline's and the ratios keep theirs (<c>handoff_baseline_p99_ms</c>, <c>handoff_ratio_p99</c>).
    /// </summary>
    public static LoadKind Handoffs { get; } = new("handoff_", "team", "devices", "handoffs", async (context, layout, ct) =>
    {
        var (huddle, baseline) = await context.HandoffTargetsAsync(layout, ct);
        return new LoadTargets(huddle, baseline, baseline.PayloadBytes);
    }, layout => new JsonObject
    {
        ["bhcs_per_team"] = HandoffPeople.Bhcs(layout),
        ["devices_per_bhc"] = HandoffPeople.DevicesPerBhc,
        ["target"] = "role bhc, pingAllAtOnce (every BHC pinged)",
        ["priority"] = "urgent",
    }, DropHuddlePrefix: true);

    /// <summary>
    /// Chat messages (<c>chat</c>): a message sent in a team's thread to every member's device. Huddle's
    /// keys drop "huddle_" (<c>chat_p99_ms</c>), as the handoff's do.
    /// </summary>
    public static LoadKind Chat { get; } = new("chat_", "thread", "members", "messages", async (context, layout, ct) =>
    {
        var (huddle, baseline) = await context.ChatTargetsAsync(layout, ct);
        return new LoadTargets(huddle, baseline, baseline.PayloadBytes);
    }, layout => new JsonObject
    {
        ["thread"] = "a team's thread (tm.{teamId}); every member of the team has one device subscribed",
        ["sender"] = "member 0 on a second device (its first device receives the message too)",
        ["priority"] = "normal",
    }, DropHuddlePrefix: true);

    /// <summary>
    /// The same kind on durable storage (<c>--storage azure</c>): its keys are named from
    /// <paramref name="stem"/> (<c>board</c>, <c>teams</c>, <c>handoff</c>) so they never mix with the
    /// in-memory figures: Huddle's under <c>{stem}_durable_</c>, the durable floor's under
    /// <c>{stem}_floor_</c>, the comparisons under <c>{stem}_durable_</c> (<c>handoff_durable_ratio_p99</c>).
    /// </summary>
    public LoadKind OnDurableStorage(string stem) => this with { DurableStem = stem };

    /// <summary>The headline key of figure <paramref name="key"/> (e.g. huddle_p99_ms).</summary>
    public string Key(string key)
    {
        if (DurableStem is { } stem)
        {
            return key.StartsWith("huddle_", StringComparison.Ordinal) ? $"{stem}_durable_{key["huddle_".Length..]}"
                : key.StartsWith("baseline_", StringComparison.Ordinal) ? $"{stem}_floor_{key["baseline_".Length..]}"
                : $"{stem}_durable_{key}";
        }

        return DropHuddlePrefix && key.StartsWith("huddle_", StringComparison.Ordinal)
            ? Prefix + key["huddle_".Length..]
            : Prefix + key;
    }
}

/// <summary>
/// Subscribers spread over groups (boards, or teams' target devices), updates at a fixed total rate,
/// Huddle and the baseline in alternating runs (H,B then B,H …) so drift on the machine hits both alike.
/// </summary>
internal sealed class LoadScenario(string name, LoadKind kind, LoadLayout layout, double updatesPerSecond, BenchOptions options) : IScenario
{
    public string Name => name;

    public async Task<ScenarioReport> RunAsync(BenchContext context, CancellationToken ct)
    {
        var (huddle, baseline, payloadBytes) = await kind.Targets(context, layout, ct);
        var profile = new LoadProfile(layout, updatesPerSecond, options.Warmup, options.Duration);
        Console.WriteLine($"  {name}: {layout.Groups} {kind.Group}(s) × {layout.PerGroup} {kind.Member}, {updatesPerSecond:0.#} {kind.Update}/s "
            + $"→ {updatesPerSecond * layout.PerGroup:N0} deliveries/s, {options.Rounds} round(s) per target"
            + (kind.DurableStem is null ? "" : "; Huddle on Azure Table storage (Azurite), the floor writes one table row, then sends"));

        if (options.Prime > TimeSpan.Zero)
        {
            // Each target once, unmeasured, before round 1: servers that have run this scenario's code only
            // for one warm-up gave their first round about twice the CPU per delivery of the later ones
            // (docs/performance.md, 2026-12-05), so round 1 measured warming, not the target.
            foreach (var target in new[] { huddle, baseline })
            {
                var primed = await LoadRun.RunAsync(target, profile with { Warmup = TimeSpan.Zero, Duration = options.Prime }, 0, ct);
                Console.WriteLine($"    primed   {primed.Target,-8} {options.Prime.TotalSeconds:0} s, not counted: p50 {primed.Delivery.P50:0.00} ms  p99 {primed.Delivery.P99:0.00} ms  "
                    + $"received {primed.ReceivedDeliveries:N0}/{primed.ExpectedDeliveries:N0}  CPU server {primed.ServerCpuMsPer1k:0.0} ms/1k");
            }
        }

        var runs = new List<LoadRunResult>();
        for (var round = 1; round <= options.Rounds; round++)
        {
            ILoadTarget[] order = round % 2 == 1 ? [huddle, baseline] : [baseline, huddle];
            foreach (var target in order)
            {
                var run = await LoadRun.RunAsync(target, profile, round, ct);
                runs.Add(run);
                Console.WriteLine($"    round {round} {run.Target,-8} load {Machine.OneMinute(run.LoadavgBefore),5:0.00}  p50 {run.Delivery.P50,8:0.00} ms  p99 {run.Delivery.P99,8:0.00} ms  "
                    + $"{run.DeliveriesPerSecond,8:N0}/s  received {run.ReceivedDeliveries:N0}/{run.ExpectedDeliveries:N0}  "
                    + $"CPU server {run.ServerCpuPercent:0}% ({run.ServerCpuMsPer1k:0.0} ms/1k) client {run.ClientCpuPercent:0}%  send lag p99 {run.SendLag.P99:0.0} ms  "
                    + $"heap {run.HeapBytesPerConnection / 1024.0:0.0} KB/conn  RSS {run.BytesPerConnection / 1024.0:0.0} KB/conn"
                    + (run.StorageWrite is { Count: > 0 } w ? $"  table write p50 {w.P50:0.00} p99 {w.P99:0.00} ms" : "")
                    + $"  {run.ServerPauses}");
                Console.WriteLine($"      {run.Book!.Anatomy((long)(run.Fanout.P99 * 1000))}");
            }
        }

        var h = Aggregate(runs, huddle.Name);
        var b = Aggregate(runs, baseline.Name);
        var pairs = Pairs(runs, huddle.Name, baseline.Name);

        // Every headline figure is the median over rounds of each round's figure, with the range
        // over rounds beside it (_min, _max): one round disturbed by other work on the machine moves
        // the range, not the median. Ratios are of the medians; their range is over the per-round
        // ratios (Huddle and the baseline of the same round, which ran back to back).
        var headline = new Dictionary<string, double>();
        foreach (var m in Metrics)
        {
            Put(headline, kind.Key(m.HuddleKey), h.OverRounds[m.Key]);
            Put(headline, kind.Key(m.BaselineKey), b.OverRounds[m.Key]);
        }

        foreach (var c in Comparisons(h, b, pairs))
        {
            Put(headline, kind.Key(c.Key), c.Value);
        }

        headline[kind.Key("merged_ratio_p99")] = Ratio(h.Delivery.P99, b.Delivery.P99);
        var floorWrites = runs.Where(r => r.Target == baseline.Name && r.StorageWrite is { Count: > 0 }).ToList();
        if (floorWrites.Count > 0)
        {
            // The floor's own table write, as its server timed it: how much of the floor is the write.
            Put(headline, kind.Key("baseline_write_p50_ms"), Spread.Of(floorWrites.Select(r => r.StorageWrite!.P50)));
            Put(headline, kind.Key("baseline_write_p99_ms"), Spread.Of(floorWrites.Select(r => r.StorageWrite!.P99)));
        }

        Put(headline, kind.Key("loadavg_1m_before"), Spread.Of(runs.Select(r => Machine.OneMinute(r.LoadavgBefore))));

        var details = new JsonObject
        {
            [$"{kind.Group}s"] = layout.Groups,
            [$"{kind.Member}_per_{kind.Group}"] = layout.PerGroup,
            ["subscribers"] = layout.Subscribers,
            [$"{kind.Update}_per_s"] = updatesPerSecond,
            ["payload_bytes"] = payloadBytes,
            ["storage"] = kind.DurableStem is null ? "memory" : "azure (Azurite); baseline = durable floor",
            ["warmup_s"] = options.Warmup.TotalSeconds,
            ["duration_s"] = options.Duration.TotalSeconds,
            ["huddle"] = JsonSerializer.SerializeToNode(h, Json.Options),
            ["baseline"] = JsonSerializer.SerializeToNode(b, Json.Options),
            ["runs"] = new JsonArray([.. runs.Select(r => JsonSerializer.SerializeToNode(r, Json.Options))]),
        };
        foreach (var (key, value) in kind.Extra?.Invoke(layout) ?? [])
        {
            details[key] = value?.DeepClone();
        }

        return new ScenarioReport(name, Table(runs, h, b, pairs), details, headline);
    }

    /// <summary>A per-run figure reported for both targets, with its headline keys.</summary>
    private sealed record Metric(string Key, string Label, string HuddleKey, string BaselineKey, Func<LoadRunResult, double> Of, string Format, double Scale = 1);

    private static readonly Metric[] Metrics =
    [
        new("p50_ms", "p50 ms", "huddle_p50_ms", "baseline_p50_ms", r => r.Delivery.P50, "0.00"),
        new("p99_ms", "p99 ms", "huddle_p99_ms", "baseline_p99_ms", r => r.Delivery.P99, "0.00"),
        new("fanout_p99_ms", "fan-out p99 ms", "huddle_fanout_p99_ms", "baseline_fanout_p99_ms", r => r.Fanout.P99, "0.00"),
        new("deliveries_per_s", "deliveries/s", "deliveries_per_s", "baseline_deliveries_per_s", r => r.DeliveriesPerSecond, "0"),
        new("server_cpu_percent", "server CPU %", "huddle_server_cpu_percent", "baseline_server_cpu_percent", r => r.ServerCpuPercent, "0.0"),
        new("cpu_ms_per_1k", "server CPU ms/1k deliv.", "huddle_cpu_ms_per_1k", "baseline_cpu_ms_per_1k", r => r.ServerCpuMsPer1k, "0.0"),
        new("server_paused_ms", "server paused ms", "huddle_server_paused_ms", "baseline_server_paused_ms", r => r.ServerPauses.PausedMs, "0.0"),
        new("server_promoted_mb", "server promoted MB", "huddle_server_promoted_mb", "baseline_server_promoted_mb", r => r.ServerPauses.PromotedMb, "0.0"),
        new("server_gen2_gcs", "server gen-2 GCs", "huddle_server_gen2_gcs", "baseline_server_gen2_gcs", r => r.ServerPauses.Gen2, "0"),
        new("heap_bytes_per_connection", "heap KB/conn", "huddle_heap_bytes_per_connection", "baseline_heap_bytes_per_connection", r => r.HeapBytesPerConnection, "0.0", 1024),
        new("rss_bytes_per_connection", "RSS KB/conn", "bytes_per_connection", "baseline_bytes_per_connection", r => r.BytesPerConnection, "0.0", 1024),
    ];

    /// <summary>Huddle's and the baseline's run of the same round.</summary>
    private sealed record Pair(LoadRunResult Huddle, LoadRunResult Baseline);

    private static List<Pair> Pairs(List<LoadRunResult> runs, string huddle, string baseline) =>
        [.. runs.Where(r => r.Target == huddle).Join(runs.Where(r => r.Target == baseline), r => r.Round, r => r.Round, (x, y) => new Pair(x, y))];

    /// <summary>Huddle against the baseline: ratios of the medians and the p50 overhead, each with its per-round range.</summary>
    private static IEnumerable<KeyValuePair<string, Spread>> Comparisons(TargetSummary h, TargetSummary b, List<Pair> pairs)
    {
        KeyValuePair<string, Spread> RatioOf(string key, string metric, Func<LoadRunResult, double> of)
        {
            var perRound = Spread.Of(pairs.Select(p => Ratio(of(p.Huddle), of(p.Baseline))));
            return new(key, perRound with { Median = Ratio(h.OverRounds[metric].Median, b.OverRounds[metric].Median) });
        }

        yield return RatioOf("ratio_p50", "p50_ms", r => r.Delivery.P50);
        yield return RatioOf("ratio_p99", "p99_ms", r => r.Delivery.P99);
        yield return RatioOf("ratio_cpu_per_1k", "cpu_ms_per_1k", r => r.ServerCpuMsPer1k);
        var overhead = Spread.Of(pairs.Select(p => Math.Round(p.Huddle.Delivery.P50 - p.Baseline.Delivery.P50, 3)));
        yield return new("p50_overhead_ms", overhead with { Median = Math.Round(h.OverRounds["p50_ms"].Median - b.OverRounds["p50_ms"].Median, 3) });
    }

    private static void Put(Dictionary<string, double> headline, string key, Spread spread)
    {
        headline[key] = spread.Median;
        headline[key + "_min"] = spread.Min;
        headline[key + "_max"] = spread.Max;
    }

    private static double Ratio(double a, double b) => b > 0 ? Math.Round(a / b, 3) : double.NaN;

    /// <summary>One target's runs combined: histograms merged, per-run figures taken at their median over rounds.</summary>
    private static TargetSummary Aggregate(List<LoadRunResult> runs, string target)
    {
        var mine = runs.Where(r => r.Target == target).ToList();
        var delivery = new LongHistogram(1, DeliveryBook.MaxMicros, 3);
        var fanout = new LongHistogram(1, DeliveryBook.MaxMicros, 3);
        foreach (var run in mine)
        {
            delivery.Add(run.Book.Delivery);
            fanout.Add(run.Book.Fanout);
        }

        var overRounds = Metrics.ToDictionary(m => m.Key, m => Spread.Of(mine.Select(m.Of)), StringComparer.Ordinal);
        return new TargetSummary(
            target,
            mine.Count,
            LatencySummary.Of(delivery),
            LatencySummary.Of(fanout),
            overRounds["deliveries_per_s"].Median,
            (long)overRounds["rss_bytes_per_connection"].Median,
            overRounds["server_cpu_percent"].Median,
            mine.Sum(r => r.ExpectedDeliveries - r.ReceivedDeliveries),
            mine.Sum(r => r.PublishErrors),
            overRounds["p50_ms"].Median,
            overRounds["p99_ms"].Median,
            overRounds);
    }

    private static string Table(List<LoadRunResult> runs, TargetSummary h, TargetSummary b, List<Pair> pairs)
    {
        var s = new StringBuilder();
        var ci = CultureInfo.InvariantCulture;
        s.AppendLine(ci, $"{"run",-14} {"what",-9} {"p50",8} {"p90",8} {"p99",8} {"p99.9",8} {"max",8}   (ms)  {"load",5} {"deliv/s",8} {"lost",6} {"srv CPU",7} {"ms/1k",6} {"srv RSS",8} {"heap/conn",9} {"RSS/conn",8} {"send lag p99",12}");
        foreach (var r in runs)
        {
            Row(s, $"{r.Target} #{r.Round}", "delivery", r.Delivery, $"{Machine.OneMinute(r.LoadavgBefore),5:0.00} {r.DeliveriesPerSecond,8:N0} {r.ExpectedDeliveries - r.ReceivedDeliveries,6:N0} {r.ServerCpuPercent,6:0}% {r.ServerCpuMsPer1k,6:0.0} "
                + $"{r.ServerRssBytes / 1048576.0,5:0} MB {r.HeapBytesPerConnection / 1024.0,6:0.0} KB {r.BytesPerConnection / 1024.0,5:0.0} KB {r.SendLag.P99,9:0.00} ms");
            Row(s, "", "fan-out", r.Fanout, "");
        }

        foreach (var t in new[] { h, b })
        {
            Row(s, $"{t.Target} (all)", "delivery", t.Delivery, $"{"",5} {t.DeliveriesPerSecond,8:N0} {t.Lost,6:N0}   (histograms of all rounds merged)");
            Row(s, "", "fan-out", t.Fanout, "");
        }

        var rounds = pairs.Count;
        s.AppendLine(ci, $"median [min…max] over {rounds} round(s):");
        s.AppendLine(ci, $"  {"",-24} {h.Target,-26} {b.Target,-26}");
        foreach (var m in Metrics)
        {
            s.AppendLine(ci, $"  {m.Label,-24} {h.OverRounds[m.Key].Format(m.Format, m.Scale),-26} {b.OverRounds[m.Key].Format(m.Format, m.Scale),-26}");
        }

        var c = Comparisons(h, b, pairs).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        s.AppendLine(ci, $"{h.Target}/{b.Target} (ratio of medians [per-round range]): p50 ×{c["ratio_p50"].Format("0.00")}, p50 overhead {c["p50_overhead_ms"].Format("+0.00;-0.00")} ms, "
            + $"p99 ×{c["ratio_p99"].Format("0.00")}, server CPU per delivery ×{c["ratio_cpu_per_1k"].Format("0.00")}");
        s.AppendLine(ci, $"{h.Target}/{b.Target}, all rounds merged: p50 ×{Ratio(h.Delivery.P50, b.Delivery.P50):0.00}, p99 ×{Ratio(h.Delivery.P99, b.Delivery.P99):0.00}, fan-out p99 ×{Ratio(h.Fanout.P99, b.Fanout.P99):0.00}");
        if (runs.Where(r => r.StorageWrite is { Count: > 0 }).ToList() is { Count: > 0 } timed)
        {
            s.AppendLine(ci, $"{b.Target}'s own table write (server side, warm-up included): p50 {Spread.Of(timed.Select(r => r.StorageWrite!.P50)).Format("0.00")} ms, "
                + $"p99 {Spread.Of(timed.Select(r => r.StorageWrite!.P99)).Format("0.00")} ms");
        }

        s.AppendLine(ci, $"load average before the runs: {Spread.Of(runs.Select(r => Machine.OneMinute(r.LoadavgBefore))).Format("0.00")} (1 min)");
        return s.ToString();

        static void Row(StringBuilder s, string run, string what, LatencySummary l, string rest) =>
            s.AppendLine(CultureInfo.InvariantCulture, $"{run,-14} {what,-9} {l.P50,8:0.00} {l.P90,8:0.00} {l.P99,8:0.00} {l.P999,8:0.00} {l.Max,8:0.00}         {rest}");
    }
}

/// <summary>One target's figures over all its runs of a scenario.</summary>
internal sealed record TargetSummary(
    string Target,
    int Runs,
    LatencySummary Delivery,
    LatencySummary Fanout,
    double DeliveriesPerSecond,
    long BytesPerConnection,
    double ServerCpuPercent,
    long Lost,
    long PublishErrors,
    double MedianRunP50,
    double MedianRunP99,
    IReadOnlyDictionary<string, Spread> OverRounds);
