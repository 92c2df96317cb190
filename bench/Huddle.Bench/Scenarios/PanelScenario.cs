using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Huddle.Bench.Targets;
using Microsoft.AspNetCore.SignalR.Client;

namespace Huddle.Bench.Scenarios;

/// <summary>
/// Opening a board with a real primary-care panel: the same <c>SubscribeBoard</c> on a team with 3
/// patients and on one with 2,500, timed from call to reply on one warm connection, plus the first
/// page of each panel over HTTP. Opening must not depend on the panel's size (it never touches the
/// panel or any patient grain).
/// </summary>
internal sealed class PanelScenario : IScenario
{
    private const int Opens = 60;
    private const int WarmUp = 10;
    private static readonly int[] Sizes = [3, 2500];

    public string Name => "panel";

    public async Task<ScenarioReport> RunAsync(BenchContext context, CancellationToken ct)
    {
        await using var server = await context.StartHuddleAsync(seed: false, ct);
        await server.WaitReadyAsync(TimeSpan.FromSeconds(60), ct);
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        var details = new JsonObject();
        var headline = new Dictionary<string, double>();
        var table = new StringBuilder();
        Console.WriteLine($"  panel: SubscribeBoard ×{Opens} on teams whose panels hold {string.Join(" and ", Sizes)} patients");
        foreach (var size in Sizes)
        {
            var teamId = $"bench-panel-{size}";
            var userId = $"{teamId}-u";
            var seeding = Stopwatch.StartNew();
            var team = new
            {
                name = $"Panel {size}",
                members = new[] { new { userId, displayName = "Dr. Panel", role = "pcp" } },
                patients = Enumerable.Range(0, size).Select(i => new { patientId = $"{teamId}-p{i}", displayName = $"Patient {i:D4}", room = $"Exam {i % 12}" }).ToArray(),
            };
            using (var put = await http.SendAsync(HuddleTarget.Dev(HttpMethod.Put, $"/api/dev/teams/{teamId}", team), ct))
            {
                put.EnsureSuccessStatusCode();
            }

            seeding.Stop();
            var token = await HuddleTarget.TokenAsync(http, userId, ct);
            await using var hub = Connections.Build(new Uri(server.BaseAddress, "hubs/huddle"), token);
            await hub.StartAsync(ct);
            var opens = new List<double>();
            for (var i = 0; i < WarmUp + Opens; i++)
            {
                var watch = Stopwatch.StartNew();
                var reply = await hub.InvokeAsync<JsonElement>("SubscribeBoard", teamId, ct);
                watch.Stop();
                if (!reply.GetProperty("ok").GetBoolean())
                {
                    throw new InvalidOperationException($"SubscribeBoard on {teamId} failed: {reply}");
                }

                await hub.InvokeAsync("UnsubscribeBoard", teamId, ct);
                if (i >= WarmUp)
                {
                    opens.Add(watch.Elapsed.TotalMilliseconds);
                }
            }

            var pages = new List<double>();
            for (var i = 0; i < WarmUp + Opens; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"/api/teams/{teamId}/patients?limit=100", UriKind.Relative));
                request.Headers.Authorization = new("Bearer", token);
                var watch = Stopwatch.StartNew();
                using var response = await http.SendAsync(request, ct);
                response.EnsureSuccessStatusCode();
                await response.Content.ReadAsByteArrayAsync(ct);
                watch.Stop();
                if (i >= WarmUp)
                {
                    pages.Add(watch.Elapsed.TotalMilliseconds);
                }
            }

            var (openP50, openP90) = (Percentile(opens, 0.5), Percentile(opens, 0.9));
            var (pageP50, pageP90) = (Percentile(pages, 0.5), Percentile(pages, 0.9));
            details[size.ToString(CultureInfo.InvariantCulture)] = new JsonObject
            {
                ["patients"] = size,
                ["seed_seconds"] = Math.Round(seeding.Elapsed.TotalSeconds, 2),
                ["open_p50_ms"] = Math.Round(openP50, 3),
                ["open_p90_ms"] = Math.Round(openP90, 3),
                ["page_p50_ms"] = Math.Round(pageP50, 3),
                ["page_p90_ms"] = Math.Round(pageP90, 3),
            };
            var key = size == Sizes[0] ? "small" : size.ToString(CultureInfo.InvariantCulture);
            headline[$"panel_open_{key}_ms"] = Math.Round(openP50, 3);
            headline[$"panel_page_{key}_ms"] = Math.Round(pageP50, 3);
            table.AppendLine(CultureInfo.InvariantCulture,
                $"{size,6:N0} patients  open p50 {openP50,7:0.000} ms  p90 {openP90,7:0.000} ms   first page of 100 p50 {pageP50,7:0.000} ms  p90 {pageP90,7:0.000} ms   (seeded in {seeding.Elapsed.TotalSeconds:0.0} s)");
            Console.WriteLine($"    {size} patients: open p50 {openP50:0.000} ms, first page p50 {pageP50:0.000} ms");
        }

        headline["panel_open_ratio"] = Math.Round(headline["panel_open_2500_ms"] / headline["panel_open_small_ms"], 2);
        table.AppendLine(CultureInfo.InvariantCulture, $"open with 2,500 patients / with 3: ×{headline["panel_open_ratio"]:0.00}");
        return new ScenarioReport(Name, table.ToString(), details, headline);
    }

    private static double Percentile(List<double> values, double q)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Floor(q * sorted.Length))];
    }
}
