using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Huddle.Bench.Targets;
using Huddle.Silo.Demo;

namespace Huddle.Bench.Scenarios;

/// <summary>
/// Time from starting the Huddle process to the first board served: GET /api/teams/{id}/board
/// answering 200 for a demo team (demo seeding on, as a fresh development host starts).
/// </summary>
internal sealed class ColdStartScenario : IScenario
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    public string Name => "coldstart";

    public async Task<ScenarioReport> RunAsync(BenchContext context, CancellationToken ct)
    {
        var team = DemoData.Teams[0];
        var user = team.Members[0].UserId;
        var runs = new List<(double FirstResponse, double FirstBoard)>();
        Console.WriteLine($"  coldstart: {context.Options.ColdStarts} start(s) of Huddle.Web until GET /api/teams/{team.TeamId}/board is 200");
        for (var i = 0; i < context.Options.ColdStarts; i++)
        {
            await using var server = await context.StartHuddleAsync(seed: true, ct);
            runs.Add(await TimeFirstBoardAsync(server, team.TeamId, user, ct));
            Console.WriteLine($"    start {i + 1}: first HTTP answer {runs[^1].FirstResponse:0.000} s, first board {runs[^1].FirstBoard:0.000} s");
        }

        var boards = runs.Select(r => r.FirstBoard).Order().ToArray();
        var median = boards[boards.Length / 2];
        var details = new JsonObject
        {
            ["starts"] = runs.Count,
            ["first_board_seconds"] = new JsonArray([.. runs.Select(r => JsonValue.Create(Math.Round(r.FirstBoard, 3)))]),
            ["first_response_seconds"] = new JsonArray([.. runs.Select(r => JsonValue.Create(Math.Round(r.FirstResponse, 3)))]),
            ["median_first_board_seconds"] = Math.Round(median, 3),
        };
        var table = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"first board served after {median:0.000} s (median of {runs.Count}; min {boards[0]:0.000}, max {boards[^1]:0.000})")
            .ToString();
        return new ScenarioReport(Name, table, details, new Dictionary<string, double> { ["coldstart_s"] = Math.Round(median, 3) });
    }

    private static async Task<(double, double)> TimeFirstBoardAsync(ServerProcess server, string teamId, string userId, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var firstResponse = double.NaN;
        string? token = null;
        while (Stopwatch.GetElapsedTime(server.StartTimestamp) < Limit)
        {
            if (server.HasExited)
            {
                throw new InvalidOperationException($"Huddle exited during start:\n{server.Tail()}");
            }

            try
            {
                token ??= await HuddleTarget.TokenAsync(http, userId, ct);
                if (double.IsNaN(firstResponse))
                {
                    firstResponse = Stopwatch.GetElapsedTime(server.StartTimestamp).TotalSeconds;
                }

                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"/api/teams/{teamId}/board", UriKind.Relative));
                request.Headers.Authorization = new("Bearer", token);
                using var response = await http.SendAsync(request, ct);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return (firstResponse, Stopwatch.GetElapsedTime(server.StartTimestamp).TotalSeconds);
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet, or the demo user is not seeded yet.
            }

            await Task.Delay(10, ct);
        }

        throw new TimeoutException($"No board within {Limit}:\n{server.Tail()}");
    }
}
