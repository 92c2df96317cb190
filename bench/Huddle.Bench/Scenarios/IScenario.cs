using System.Text.Json.Nodes;
using Huddle.Bench.Targets;

namespace Huddle.Bench.Scenarios;

/// <summary>
/// One thing the bench measures. A new scenario (chat delivery, say) is a class
/// implementing this, listed in <see cref="ScenarioCatalog"/>; the load harness, the servers and the
/// report are shared through <see cref="BenchContext"/>.
/// </summary>
internal interface IScenario
{
    /// <summary>The name used with --scenario and in the report.</summary>
    string Name { get; }

    Task<ScenarioReport> RunAsync(BenchContext context, CancellationToken ct);
}

/// <summary>
/// What a scenario found: a readable table, its detailed figures, and the headline numbers that go
/// to the top of the JSON summary (e.g. huddle_p99_ms).
/// </summary>
internal sealed record ScenarioReport(string Name, string Table, JsonObject Details, IReadOnlyDictionary<string, double> Headline);

internal static class ScenarioCatalog
{
    public static IScenario Create(string name, BenchOptions options) => name switch
    {
        "fanout" => new LoadScenario("fanout", LoadKind.Boards(""), new(1, options.Subscribers), options.Rate, options),
        "teams" => new LoadScenario("teams", LoadKind.Boards("teams_"), new(options.Teams, options.Members), options.TeamRate * options.Teams, options),
        "handoff" => new LoadScenario("handoff", LoadKind.Handoffs, HandoffPeople.Layout(options.HandoffTeams, options.HandoffBhcs), options.HandoffRate, options),
        "grains" => new GrainsScenario(),
        "coldstart" => new ColdStartScenario(),
        "panel" => new PanelScenario(),
        _ => throw new ArgumentException($"Unknown scenario '{name}'; known: fanout, teams, handoff, grains, coldstart, panel."),
    };
}
