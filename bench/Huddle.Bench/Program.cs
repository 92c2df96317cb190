using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Huddle.Bench;
using Huddle.Bench.Scenarios;

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

var repoRoot = FindRepoRoot();
var scenarios = options.Scenarios.Select(s => ScenarioCatalog.Create(s, options)).ToList();

// Every run ends: Ctrl+C, or a hard limit well above the expected length.
using var cts = new CancellationTokenSource(options.Quick ? TimeSpan.FromMinutes(5) : TimeSpan.FromMinutes(60));
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cts.Cancel();
};

// Many connections start at once; give the client's thread pool room so the load generator, not
// thread injection, keeps up (the server's own settings are left as they ship).
ThreadPool.SetMinThreads(Math.Max(64, Environment.ProcessorCount * 16), Math.Max(64, Environment.ProcessorCount * 16));

// The load generator on its cores before it starts a thread of its own; servers start on theirs.
var pinning = options.Pinning;
try
{
    pinning.PinSelf();
}
catch (InvalidOperationException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

var total = Stopwatch.StartNew();
var loadAtStart = Machine.LoadAverage();
Console.WriteLine($"Huddle bench: {Environment.ProcessorCount} core(s) for the load generator; "
    + (pinning.Enabled
        ? $"pinned: load generator on core(s) {pinning.ClientList}, servers (Huddle, baseline{(options.Storage == StorageMode.Azure ? ", Azurite" : "")}) on core(s) {pinning.ServerList}"
        : "not pinned: load generator and servers share every core")
    + $"; storage {options.Storage.ToString().ToLowerInvariant()}; load average {loadAtStart}");
Console.WriteLine($"scenarios: {string.Join(", ", options.Scenarios)}");
if (options.Build)
{
    await BuildAsync(repoRoot, cts.Token);
}

var reports = new List<ScenarioReport>();
JsonObject pinned;
await using (var context = new BenchContext(options, repoRoot))
{
    foreach (var scenario in scenarios)
    {
        var sw = Stopwatch.StartNew();
        Console.WriteLine($"[{scenario.Name}]");
        reports.Add(await scenario.RunAsync(context, cts.Token));
        Console.WriteLine($"  ({sw.Elapsed.TotalSeconds:0.0} s)");
    }

    // As the kernel has it at the end: every thread of every process, so a stray one would show.
    pinned = context.Describe();
}

Console.WriteLine();
foreach (var report in reports)
{
    Console.WriteLine($"== {report.Name} ==");
    Console.WriteLine(report.Table);
}

var summary = new JsonObject
{
    ["machine"] = new JsonObject
    {
        ["cores"] = Environment.ProcessorCount,
        ["os"] = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
        ["runtime"] = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
        ["note"] = pinning.Enabled ? "load generator and servers pinned to separate cores" : "load generator and servers share the same cores",
        ["pinning"] = pinned,
        // Other work on the machine (builds, test runs) moves every figure: keep the load with them.
        ["loadavg_start"] = loadAtStart,
        ["loadavg_end"] = Machine.LoadAverage(),
    },
    ["quick"] = options.Quick,
    ["storage"] = options.Storage == StorageMode.Azure ? "azure" : "memory",
    // What a rerun must match for --compare to mean anything.
    ["options"] = new JsonObject
    {
        ["scenarios"] = string.Join(',', options.Scenarios),
        ["storage"] = options.Storage.ToString().ToLowerInvariant(),
        ["azurite"] = options.AzuriteOnDisk ? "disk" : "memory",
        ["rounds"] = options.Rounds,
        ["warmup_s"] = options.Warmup.TotalSeconds,
        ["prime_s"] = options.Prime.TotalSeconds,
        ["duration_s"] = options.Duration.TotalSeconds,
        ["pinned"] = pinning.Enabled ? $"{pinning.ClientList}/{pinning.ServerList}" : "off",
    },
    ["started_utc"] = DateTime.UtcNow.AddSeconds(-total.Elapsed.TotalSeconds).ToString("O", CultureInfo.InvariantCulture),
    ["elapsed_s"] = Math.Round(total.Elapsed.TotalSeconds, 1),
};
var headline = reports.SelectMany(r => r.Headline).ToDictionary(kv => kv.Key, kv => kv.Value);
// The headline memory figures come from the largest connection count measured: teams when it ran
// (fanout's stay as fanout_…).
string[] memoryKeys = ["bytes_per_connection", "baseline_bytes_per_connection", "huddle_heap_bytes_per_connection", "baseline_heap_bytes_per_connection"];
foreach (var key in memoryKeys.SelectMany(k => new[] { k, k + "_min", k + "_max" }))
{
    if (headline.TryGetValue("teams_" + key, out var teamsBytes))
    {
        headline["fanout_" + key] = headline.GetValueOrDefault(key, double.NaN);
        headline[key] = teamsBytes;
    }
}

foreach (var (key, value) in headline.OrderBy(kv => kv.Key, StringComparer.Ordinal))
{
    summary[key] = double.IsFinite(value) ? JsonValue.Create(value) : null;
}

var (goalText, goalJson) = Goals.Judge(headline, options.Rounds);
Console.WriteLine(goalText);
summary["goals"] = goalJson;
if (options.Compare is { } previous)
{
    var (compareText, compareJson) = RunComparison.Compare(previous, summary);
    Console.WriteLine(compareText);
    summary["compare"] = compareJson;
}

var details = new JsonObject();
foreach (var report in reports)
{
    details[report.Name] = report.Details;
}

summary["scenarios"] = details;
var outPath = Path.GetFullPath(options.Out);
Directory.CreateDirectory(Path.GetDirectoryName(outPath)!);
await File.WriteAllTextAsync(outPath, summary.ToJsonString(Json.Options));
Console.WriteLine($"summary written to {outPath} ({total.Elapsed.TotalSeconds:0} s in all)");
return 0;

static string FindRepoRoot()
{
    foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Huddle.sln")))
            {
                return dir.FullName;
            }
        }
    }

    throw new InvalidOperationException("Run the bench from inside the Huddle repository (Huddle.sln not found).");
}

// Both targets in Release, side by side; an up-to-date build takes a few seconds.
static async Task BuildAsync(string repoRoot, CancellationToken ct)
{
    var sw = Stopwatch.StartNew();
    string[] projects = ["src/Web/Huddle.Web.csproj", "bench/Huddle.Bench.Baseline/Huddle.Bench.Baseline.csproj"];
    var builds = projects.Select(async project =>
    {
        var info = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { "build", project, "-c", "Release", "--nologo", "-v", "q", "-clp:ErrorsOnly" },
            WorkingDirectory = repoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var errors = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"Building {project} failed:\n{await output}\n{await errors}");
        }
    });
    await Task.WhenAll(builds);
    Console.WriteLine($"  built both targets (Release) in {sw.Elapsed.TotalSeconds:0.0} s");
}
