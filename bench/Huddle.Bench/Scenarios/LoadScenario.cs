using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HdrHistogram;
using Huddle.Bench.Load;
using Huddle.Bench.Targets;

namespace Huddle.Bench.Scenarios;

/// <summary>
/// Subscribers spread over boards, updates at a fixed total rate, Huddle and the baseline in
/// alternating runs (H,B then B,H …) so drift on the machine hits both alike.
/// </summary>
internal sealed class LoadScenario(string name, string headlinePrefix, LoadLayout layout, double updatesPerSecond, BenchOptions options) : IScenario
{
    public string Name => name;

    public async Task<ScenarioReport> RunAsync(BenchContext context, CancellationToken ct)
    {
        var (huddle, baseline) = await context.LoadTargetsAsync(layout, ct);
        var profile = new LoadProfile(layout, updatesPerSecond, options.Warmup, options.Duration);
        Console.WriteLine($"  {name}: {layout.Groups} board(s) × {layout.PerGroup} subscribers, {updatesPerSecond:0.#} updates/s "
            + $"→ {updatesPerSecond * layout.PerGroup:N0} deliveries/s, {options.Rounds} round(s) per target");

        var runs = new List<LoadRunResult>();
        for (var round = 1; round <= options.Rounds; round++)
        {
            ILoadTarget[] order = round % 2 == 1 ? [huddle, baseline] : [baseline, huddle];
            foreach (var target in order)
            {
                var run = await LoadRun.RunAsync(target, profile, round, ct);
                runs.Add(run);
                Console.WriteLine($"    round {round} {run.Target,-8} load {File.ReadAllText("/proc/loadavg").Split(' ')[0],5}  p50 {run.Delivery.P50,8:0.00} ms  p99 {run.Delivery.P99,8:0.00} ms  "
                    + $"{run.DeliveriesPerSecond,8:N0}/s  received {run.ReceivedDeliveries:N0}/{run.ExpectedDeliveries:N0}  "
                    + $"CPU server {run.ServerCpuPercent:0}% client {run.ClientCpuPercent:0}%  send lag p99 {run.SendLag.P99:0.0} ms  {run.BytesPerConnection / 1024.0:0.0} KB/conn");
            }
        }

        var h = Aggregate(runs, huddle.Name);
        var b = Aggregate(runs, baseline.Name);
        // Headline percentiles are the median over rounds of each round's percentile: one round
        // disturbed by other work on the machine moves the merged histogram's tail, not these.
        var headline = new Dictionary<string, double>
        {
            [$"{headlinePrefix}huddle_p50_ms"] = h.MedianRunP50,
            [$"{headlinePrefix}huddle_p99_ms"] = h.MedianRunP99,
            [$"{headlinePrefix}baseline_p50_ms"] = b.MedianRunP50,
            [$"{headlinePrefix}baseline_p99_ms"] = b.MedianRunP99,
            [$"{headlinePrefix}ratio_p50"] = Ratio(h.MedianRunP50, b.MedianRunP50),
            [$"{headlinePrefix}ratio_p99"] = Ratio(h.MedianRunP99, b.MedianRunP99),
            [$"{headlinePrefix}p50_overhead_ms"] = Math.Round(h.MedianRunP50 - b.MedianRunP50, 3),
            [$"{headlinePrefix}merged_ratio_p99"] = Ratio(h.Delivery.P99, b.Delivery.P99),
            [$"{headlinePrefix}huddle_fanout_p99_ms"] = h.Fanout.P99,
            [$"{headlinePrefix}baseline_fanout_p99_ms"] = b.Fanout.P99,
            [$"{headlinePrefix}deliveries_per_s"] = h.DeliveriesPerSecond,
            [$"{headlinePrefix}baseline_deliveries_per_s"] = b.DeliveriesPerSecond,
            [$"{headlinePrefix}bytes_per_connection"] = h.BytesPerConnection,
            [$"{headlinePrefix}baseline_bytes_per_connection"] = b.BytesPerConnection,
            [$"{headlinePrefix}huddle_server_cpu_percent"] = h.ServerCpuPercent,
            [$"{headlinePrefix}baseline_server_cpu_percent"] = b.ServerCpuPercent,
        };

        var details = new JsonObject
        {
            ["boards"] = layout.Groups,
            ["subscribers_per_board"] = layout.PerGroup,
            ["subscribers"] = layout.Subscribers,
            ["updates_per_s"] = updatesPerSecond,
            ["payload_bytes"] = context.PayloadBytes,
            ["warmup_s"] = options.Warmup.TotalSeconds,
            ["duration_s"] = options.Duration.TotalSeconds,
            ["huddle"] = JsonSerializer.SerializeToNode(h, Json.Options),
            ["baseline"] = JsonSerializer.SerializeToNode(b, Json.Options),
            ["runs"] = new JsonArray([.. runs.Select(r => JsonSerializer.SerializeToNode(r, Json.Options))]),
        };

        return new ScenarioReport(name, Table(runs, h, b), details, headline);
    }

    private static double Ratio(double a, double b) => b > 0 ? Math.Round(a / b, 3) : double.NaN;

    /// <summary>One target's runs combined: histograms merged, per-run figures taken at their median.</summary>
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

        return new TargetSummary(
            target,
            mine.Count,
            LatencySummary.Of(delivery),
            LatencySummary.Of(fanout),
            Median(mine.Select(r => r.DeliveriesPerSecond)),
            (long)Median(mine.Select(r => (double)r.BytesPerConnection)),
            Median(mine.Select(r => r.ServerCpuPercent)),
            mine.Sum(r => r.ExpectedDeliveries - r.ReceivedDeliveries),
            mine.Sum(r => r.PublishErrors),
            Median(mine.Select(r => r.Delivery.P50)),
            Median(mine.Select(r => r.Delivery.P99)));
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Table(List<LoadRunResult> runs, TargetSummary h, TargetSummary b)
    {
        var s = new StringBuilder();
        var ci = CultureInfo.InvariantCulture;
        s.AppendLine(ci, $"{"run",-14} {"what",-9} {"p50",8} {"p90",8} {"p99",8} {"p99.9",8} {"max",8}   (ms)  {"deliv/s",8} {"lost",6} {"srv CPU",7} {"srv RSS",8} {"KB/conn",7} {"send lag p99",12}");
        foreach (var r in runs)
        {
            Row(s, $"{r.Target} #{r.Round}", "delivery", r.Delivery, $"{r.DeliveriesPerSecond,8:N0} {r.ExpectedDeliveries - r.ReceivedDeliveries,6:N0} {r.ServerCpuPercent,6:0}% {r.ServerRssBytes / 1048576.0,6:0} MB {r.BytesPerConnection / 1024.0,7:0.0} {r.SendLag.P99,9:0.00} ms");
            Row(s, "", "fan-out", r.Fanout, "");
        }

        foreach (var t in new[] { h, b })
        {
            Row(s, $"{t.Target} (all)", "delivery", t.Delivery, $"{t.DeliveriesPerSecond,8:N0} {t.Lost,6:N0} {t.ServerCpuPercent,6:0}% {"",9} {t.BytesPerConnection / 1024.0,7:0.0}");
            Row(s, "", "fan-out", t.Fanout, "");
        }

        s.AppendLine(ci, $"huddle/baseline, median of rounds: p50 {h.MedianRunP50:0.00} vs {b.MedianRunP50:0.00} ms (×{Ratio(h.MedianRunP50, b.MedianRunP50):0.00}, {h.MedianRunP50 - b.MedianRunP50:+0.00;-0.00} ms), p99 {h.MedianRunP99:0.00} vs {b.MedianRunP99:0.00} ms (×{Ratio(h.MedianRunP99, b.MedianRunP99):0.00})");
        s.AppendLine(ci, $"huddle/baseline, all rounds merged: p50 ×{Ratio(h.Delivery.P50, b.Delivery.P50):0.00}, p99 ×{Ratio(h.Delivery.P99, b.Delivery.P99):0.00}, fan-out p99 ×{Ratio(h.Fanout.P99, b.Fanout.P99):0.00}");
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
    double MedianRunP99);
