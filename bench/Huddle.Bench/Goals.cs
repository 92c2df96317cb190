using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Huddle.Bench;

/// <summary>
/// The performance goals (issue 14; chat: issue 16; a removed member stopped within a second: issue 17), each judged on one headline figure: the median over the
/// alternating rounds, with its per-round range beside it. A goal whose figure this run did not
/// measure is listed as such; fewer than <see cref="RoundsToJudge"/> rounds make every verdict
/// indicative only.
/// </summary>
internal static class Goals
{
    /// <summary>The rounds per target a verdict needs (alternating, H,B then B,H, then H,B).</summary>
    public const int RoundsToJudge = 3;

    /// <summary>A goal: <see cref="Key"/>'s median must be at most <see cref="Limit"/>; <see cref="Unit"/> "×" (ratio) or "ms" (difference).</summary>
    internal sealed record Goal(string Text, string Key, double Limit, string Unit);

    public static IReadOnlyList<Goal> All { get; } =
    [
        new("in-memory handoff ping p50 overhead ≤ 0.6 ms", "handoff_p50_overhead_ms", 0.6, "ms"),
        new("in-memory handoff ping p99 ≤ 1.5× the bare send", "handoff_ratio_p99", 1.5, "×"),
        new("durable handoff ping p99 ≤ 1.3× the durable floor", "handoff_durable_ratio_p99", 1.3, "×"),
        new("in-memory chat message p99 ≤ 1.3× the bare send", "chat_ratio_p99", 1.3, "×"),
        new("durable chat message p99 ≤ 1.3× the durable floor", "chat_durable_ratio_p99", 1.3, "×"),
        new("board fan-out p99 ≤ 1.2× the bare send", "ratio_p99", 1.2, "×"),
        new("board fan-out p50 overhead ≤ 1 ms", "p50_overhead_ms", 1.0, "ms"),
        new("board fan-out server CPU per delivery ≤ 1.2×", "ratio_cpu_per_1k", 1.2, "×"),
        new("teams p99 ≤ 1.2× the bare send", "teams_ratio_p99", 1.2, "×"),
        new("teams p50 overhead ≤ 1 ms", "teams_p50_overhead_ms", 1.0, "ms"),
        new("teams server CPU per delivery ≤ 1.2×", "teams_ratio_cpu_per_1k", 1.2, "×"),
        new("removed member's thread reset, slowest round ≤ 1,000 ms", "revoke_removal_max_ms", 1000, "ms"),
        new("pushed ping at the push service, slowest round ≤ 1,000 ms", "push_max_ms", 1000, "ms"),
        new("durable pushed ping at the push service, slowest round ≤ 1,000 ms", "push_durable_max_ms", 1000, "ms"),
    ];

    /// <summary>Every goal with its figure and verdict, as console lines and as JSON.</summary>
    public static (string Text, JsonArray Json) Judge(IReadOnlyDictionary<string, double> headline, int rounds)
    {
        var ci = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        var json = new JsonArray();
        var indicative = rounds < RoundsToJudge;
        text.AppendLine(ci, $"goals (median of {rounds} alternating round(s) [per-round range]){(indicative ? $": INDICATIVE ONLY, a verdict needs {RoundsToJudge} rounds" : "")}:");
        foreach (var goal in All)
        {
            if (!headline.TryGetValue(goal.Key, out var value) || !double.IsFinite(value))
            {
                text.AppendLine(ci, $"  {goal.Text,-52} not measured in this run ({goal.Key})");
                json.Add(new JsonObject { ["goal"] = goal.Text, ["key"] = goal.Key, ["limit"] = goal.Limit, ["verdict"] = "not measured" });
                continue;
            }

            var min = headline.GetValueOrDefault(goal.Key + "_min", double.NaN);
            var max = headline.GetValueOrDefault(goal.Key + "_max", double.NaN);
            var met = value <= goal.Limit;
            var verdict = (met ? "met" : "not met") + (indicative ? " (indicative)" : "");
            var range = rounds > 1 ? $"[{Format(goal, min)}…{Format(goal, max)}]" : "";
            text.AppendLine(ci, $"  {goal.Text,-52} {Format(goal, value),10} {range,-24} {verdict,-22} ({goal.Key})");
            json.Add(new JsonObject
            {
                ["goal"] = goal.Text,
                ["key"] = goal.Key,
                ["limit"] = goal.Limit,
                ["median"] = value,
                ["min"] = double.IsFinite(min) ? min : null,
                ["max"] = double.IsFinite(max) ? max : null,
                ["rounds"] = rounds,
                ["verdict"] = verdict,
            });
        }

        return (text.ToString(), json);
    }

    private static string Format(Goal goal, double value) =>
        !double.IsFinite(value) ? "?"
        : goal.Unit == "×" ? "×" + value.ToString("0.00", CultureInfo.InvariantCulture)
        : value.ToString("+0.00;-0.00", CultureInfo.InvariantCulture) + " ms";
}
