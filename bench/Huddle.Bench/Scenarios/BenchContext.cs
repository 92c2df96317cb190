using Huddle.Bench.Targets;

namespace Huddle.Bench.Scenarios;

/// <summary>
/// What scenarios share: options, where the built targets are, and the two servers, started once
/// on first use and stopped when the bench ends.
/// </summary>
internal sealed class BenchContext(BenchOptions options, string repoRoot) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ServerProcess? _huddleServer;
    private ServerProcess? _baselineServer;
    private HuddleTarget? _huddle;
    private BaselineTarget? _baseline;

    public BenchOptions Options => options;

    public string RepoRoot => repoRoot;

    public string WebDll => Path.Combine(repoRoot, "src", "Web", "bin", "Release", "net10.0", "Huddle.Web.dll");

    public string BaselineDll => Path.Combine(repoRoot, "bench", "Huddle.Bench.Baseline", "bin", "Release", "net10.0", "Huddle.Bench.Baseline.dll");

    /// <summary>The payload size (UTF-8 bytes) of one delivery, once captured.</summary>
    public int PayloadBytes { get; private set; }

    /// <summary>Environment of a Huddle server: development endpoints, co-hosted silo on free ports.</summary>
    public static Dictionary<string, string> HuddleEnvironment(bool seed) => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Development",
        ["Huddle__Demo__Seed"] = seed ? "true" : "false",
        ["Huddle__Orleans__SiloPort"] = ServerProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Huddle__Orleans__GatewayPort"] = ServerProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Both load targets, started (in parallel) on first use; the baseline replays a captured Huddle change.</summary>
    public async Task<(HuddleTarget Huddle, BaselineTarget Baseline)> LoadTargetsAsync(LoadLayout captureLayout, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (_huddle is null || _baseline is null)
            {
                var (huddleServer, baselineServer) = await ServersAsync(ct);
                _huddle = new HuddleTarget(huddleServer);
                var change = await _huddle.CaptureChangeAsync(captureLayout, ct);
                _baseline = new BaselineTarget(baselineServer, change, _huddle.GroupName(captureLayout, 0));
                PayloadBytes = _baseline.PayloadBytes;
                Console.WriteLine($"  captured a Huddle BoardChanged of {PayloadBytes} bytes; the baseline replays it");
            }

            return (_huddle, _baseline);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The handoff targets for <paramref name="layout"/> on the same two servers: Huddle's teams are made
    /// and one real ping captured, which the baseline replays. Not cached: one handoff scenario per run.
    /// </summary>
    public async Task<(HuddleHandoffTarget Huddle, BaselineHandoffTarget Baseline)> HandoffTargetsAsync(LoadLayout layout, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var (huddleServer, baselineServer) = await ServersAsync(ct);
            var huddle = new HuddleHandoffTarget(huddleServer);
            var ping = await huddle.CapturePingAsync(layout, ct);
            var baseline = new BaselineHandoffTarget(baselineServer, ping, HandoffPeople.TeamId(layout, 0), HandoffPeople.BhcOfDevice(layout, 0, 0));
            Console.WriteLine($"  captured a Huddle HandoffInboxChanged ping of {baseline.PayloadBytes} bytes; the baseline replays it");
            return (huddle, baseline);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Both servers, started (in parallel) on first use; the caller holds the gate.</summary>
    private async Task<(ServerProcess Huddle, ServerProcess Baseline)> ServersAsync(CancellationToken ct)
    {
        foreach (var dll in new[] { WebDll, BaselineDll })
        {
            if (!File.Exists(dll))
            {
                throw new FileNotFoundException($"{dll} is missing: run the bench with `dotnet run -c Release`, or pass --build.", dll);
            }
        }

        _huddleServer ??= ServerProcess.Start(WebDll, HuddleEnvironment(seed: false));
        _baselineServer ??= ServerProcess.Start(BaselineDll, new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Development" });
        await Task.WhenAll(
            _huddleServer.WaitReadyAsync(TimeSpan.FromSeconds(60), ct),
            _baselineServer.WaitReadyAsync(TimeSpan.FromSeconds(60), ct));
        return (_huddleServer, _baselineServer);
    }

    public async ValueTask DisposeAsync()
    {
        if (_huddleServer is not null)
        {
            await _huddleServer.DisposeAsync();
        }

        if (_baselineServer is not null)
        {
            await _baselineServer.DisposeAsync();
        }

        _gate.Dispose();
    }
}
