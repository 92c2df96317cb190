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
        "fanout" => new LoadScenario("fanout", Storage(LoadKind.Boards(""), "board", options), new(1, options.Subscribers), options.Rate, options),
        "teams" => new LoadScenario("teams", Storage(LoadKind.Boards("teams_"), "teams", options), new(options.Teams, options.Members), options.TeamRate * options.Teams, options),
        "handoff" => new LoadScenario("handoff", Storage(LoadKind.Handoffs, "handoff", options), HandoffPeople.Layout(options.HandoffTeams, options.HandoffBhcs), options.HandoffRate, options),
        "chat" => new LoadScenario("chat", Storage(LoadKind.Chat, "chat", options), new(options.ChatThreads, options.ChatMembers), options.ChatRate, options),
        "grains" => new GrainsScenario(),
        "coldstart" => new ColdStartScenario(),
        "panel" => new PanelScenario(),
        "revoke" => new RevokeScenario(),
        "push" => new PushScenario(),
        _ => throw new ArgumentException($"Unknown scenario '{name}'; known: fanout, teams, handoff, chat, grains, coldstart, panel, revoke, push."),
    };

    /// <summary>With <c>--storage azure</c>, the durable form of <paramref name="kind"/>, its keys named from <paramref name="stem"/>.</summary>
    private static LoadKind Storage(LoadKind kind, string stem, BenchOptions options) =>
        options.Storage == StorageMode.Azure ? kind.OnDurableStorage(stem) : kind;
}
