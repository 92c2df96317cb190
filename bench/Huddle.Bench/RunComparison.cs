using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Huddle.Bench;

/// <summary>
/// This run against an earlier summary of the same build and options (<c>--compare</c>): how far each
/// latency, ratio and CPU figure moved. A figure worth quoting is one a rerun reproduces within
/// <see cref="Tolerance"/>.
/// </summary>
internal static class RunComparison
{
    /// <summary>How far a rerun may move a figure before it stops counting as reproduced (±15 %).</summary>
    public const double Tolerance = 0.15;

    private static readonly string[] Compared = ["p50_ms", "p99_ms", "ratio_p50", "ratio_p99", "p50_overhead_ms", "ratio_cpu_per_1k", "cpu_ms_per_1k"];

    public static (string Text, JsonObject Json) Compare(string previousPath, JsonObject current)
    {
        var ci = CultureInfo.InvariantCulture;
        var previous = JsonNode.Parse(File.ReadAllText(previousPath)) as JsonObject
            ?? throw new InvalidOperationException($"{previousPath} is not a bench summary.");
        var text = new StringBuilder();
        text.AppendLine(ci, $"against {previousPath} (started {previous["started_utc"]}):");
        var optionsNow = current["options"]?.ToJsonString();
        var optionsThen = previous["options"]?.ToJsonString();
        if (optionsNow != optionsThen)
        {
            text.AppendLine(ci, $"  WARNING: the options differ: then {optionsThen ?? "(not recorded)"}, now {optionsNow}");
        }

        var figures = new JsonObject();
        int within = 0, outside = 0;
        foreach (var (key, node) in current.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!IsCompared(key) || Number(node) is not { } now || Number(previous[key]) is not { } then)
            {
                continue;
            }

            var change = then != 0 ? (now - then) / Math.Abs(then) : double.NaN;
            var ok = double.IsFinite(change) && Math.Abs(change) <= Tolerance;
            if (ok)
            {
                within++;
            }
            else
            {
                outside++;
            }

            // An overhead near zero makes any relative change look large: the difference in ms is beside it.
            var delta = key.EndsWith("overhead_ms", StringComparison.Ordinal) ? $" ({now - then:+0.00;-0.00} ms)" : "";
            text.AppendLine(ci, $"  {key,-40} {then,9:0.000} → {now,9:0.000}  {(double.IsFinite(change) ? change.ToString("+0.0 %;-0.0 %", ci) : "n/a"),9}  {(ok ? "within ±15 %" : "OUTSIDE ±15 %")}{delta}");
            figures[key] = new JsonObject
            {
                ["then"] = then,
                ["now"] = now,
                ["change"] = double.IsFinite(change) ? Math.Round(change, 4) : null,
                ["within_tolerance"] = ok,
            };
        }

        text.AppendLine(ci, $"  {within} figure(s) within ±15 %, {outside} outside");
        return (text.ToString(), new JsonObject
        {
            ["previous"] = Path.GetFullPath(previousPath),
            ["previous_started_utc"] = previous["started_utc"]?.DeepClone(),
            ["tolerance"] = Tolerance,
            ["within"] = within,
            ["outside"] = outside,
            ["figures"] = figures,
        });
    }

    private static bool IsCompared(string key) =>
        !key.EndsWith("_min", StringComparison.Ordinal) && !key.EndsWith("_max", StringComparison.Ordinal)
        && !key.StartsWith("merged_", StringComparison.Ordinal) && !key.Contains("_merged_", StringComparison.Ordinal)
        && Compared.Any(suffix => key == suffix || key.EndsWith("_" + suffix, StringComparison.Ordinal));

    private static double? Number(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<double>(out var number) && double.IsFinite(number) ? number : null;
}
