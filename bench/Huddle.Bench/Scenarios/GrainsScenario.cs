using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Huddle.Bench.Targets;
using Huddle.Silo.Demo;
using Huddle.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Runtime;
using Huddle.Contracts.Boards;
using Huddle.Contracts.Patients;

namespace Huddle.Bench.Scenarios;

/// <summary>
/// Memory per activated patient grain with typical state, in a silo hosted inside the bench the way
/// Huddle hosts it (<see cref="HuddleSiloExtensions.AddHuddleSilo"/>, in-memory storage): the managed
/// heap and RSS before and after activating N grains through SetAsync.
/// </summary>
internal sealed class GrainsScenario : IScenario
{
    private const int Warmup = 2_000;
    private const int Parallelism = 500;

    public string Name => "grains";

    public async Task<ScenarioReport> RunAsync(BenchContext context, CancellationToken ct)
    {
        var count = context.Options.Grains;
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [HuddleConfig.SiloPort] = ServerProcess.FreePort().ToString(CultureInfo.InvariantCulture),
            [HuddleConfig.GatewayPort] = ServerProcess.FreePort().ToString(CultureInfo.InvariantCulture),
            [HuddleConfig.SeedDemoData] = "false",
        }).Build();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.UseOrleans(silo => silo.AddHuddleSilo(config));
        using var host = builder.Build();
        await host.StartAsync(ct);
        try
        {
            var grains = host.Services.GetRequiredService<IGrainFactory>();
            Console.WriteLine($"  grains: activating {count:N0} patient grains with typical state in an in-process silo");
            await ActivateAsync(grains, "warm", Warmup, ct);

            var (heap0, rss0) = Measure();
            var sw = Stopwatch.StartNew();
            await ActivateAsync(grains, "pt", count, ct);
            var seconds = sw.Elapsed.TotalSeconds;
            var (heap1, rss1) = Measure();
            var activations = await grains.GetGrain<IManagementGrain>(0).GetTotalActivationCount();

            // Reading one back proves the state is there (and keeps the activations referenced).
            var sample = await grains.GetGrain<IPatientGrain>(Key("pt", count / 2)).GetAsync();
            if (sample is null)
            {
                throw new InvalidOperationException("A patient grain lost its state.");
            }

            var heapPerGrain = (heap1 - heap0) / count;
            var rssPerGrain = (rss1 - rss0) / count;
            var headline = new Dictionary<string, double>
            {
                ["bytes_per_grain"] = heapPerGrain,
                ["rss_bytes_per_grain"] = rssPerGrain,
            };
            var details = new JsonObject
            {
                ["grains"] = count,
                ["activations_total"] = activations,
                ["activate_seconds"] = Math.Round(seconds, 2),
                ["managed_heap_before"] = heap0,
                ["managed_heap_after"] = heap1,
                ["rss_before"] = rss0,
                ["rss_after"] = rss1,
                ["bytes_per_grain"] = heapPerGrain,
                ["rss_bytes_per_grain"] = rssPerGrain,
                ["state_example_json_bytes"] = Encoding.UTF8.GetByteCount(System.Text.Json.JsonSerializer.Serialize(Typical(1))),
            };
            var table = new StringBuilder()
                .AppendLine(CultureInfo.InvariantCulture, $"{count:N0} patient grains activated in {seconds:0.0} s ({count / seconds:N0}/s); {activations:N0} activations in the silo")
                .AppendLine(CultureInfo.InvariantCulture, $"managed heap per grain {heapPerGrain:N0} B; RSS per grain {rssPerGrain:N0} B (GC.GetTotalMemory(true) and VmRSS deltas; includes the in-memory storage copy)")
                .ToString();
            return new ScenarioReport(Name, table, details, headline);
        }
        finally
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await host.StopAsync(stop.Token);
        }
    }

    private static async Task ActivateAsync(IGrainFactory grains, string prefix, int count, CancellationToken ct) =>
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct },
            async (i, _) => await grains.GetGrain<IPatientGrain>(Key(prefix, i)).SetAsync(Typical(i, prefix)));

    private static string Key(string prefix, int i) => string.Create(CultureInfo.InvariantCulture, $"{prefix}-{i:D7}");

    /// <summary>
    /// A patient as the demo data has them (name, room, one or two flags with detail, one team),
    /// with strings of its own, as they would be after loading from storage.
    /// </summary>
    private static PatientProfile Typical(int i, string prefix = "pt")
    {
        var template = DemoData.Patients[i % DemoData.Patients.Length];
        return new PatientProfile(
            Key(prefix, i),
            Copy(template.DisplayName),
            Copy(template.Initials),
            template.Room is null ? null : Copy(template.Room),
            [.. template.Flags.Select(f => new CardFlag(f.Kind, f.Detail is null ? null : Copy(f.Detail)))],
            [string.Create(CultureInfo.InvariantCulture, $"team-{i % 200:D3}")]);
    }

    private static string Copy(string s) => new(s.AsSpan());

    private static (long Heap, long Rss) Measure()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        return (GC.GetTotalMemory(forceFullCollection: true), ServerProcess.ReadRss(Environment.ProcessId));
    }
}
