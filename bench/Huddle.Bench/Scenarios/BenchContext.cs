using System.Globalization;
using System.Text.Json.Nodes;
using Huddle.Bench.Targets;
using Huddle.Testing;

namespace Huddle.Bench.Scenarios;

/// <summary>
/// What scenarios share: options, where the built targets are, and the two servers (with
/// <c>--storage azure</c>, Azurite too), started once on first use, pinned to the servers' cores and
/// stopped when the bench ends.
/// </summary>
internal sealed class BenchContext(BenchOptions options, string repoRoot) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly SemaphoreSlim _storageGate = new(1, 1);
    private readonly List<(string Name, int Pid)> _pinned = [];
    private AzuriteServer? _azurite;
    private int _huddleStarts;
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

    /// <summary>True with <c>--storage azure</c>: Huddle on Azure Table storage, the baseline as the durable floor.</summary>
    public bool Durable => options.Storage == StorageMode.Azure;

    /// <summary>
    /// Starts a Huddle server (not yet ready: wait with <see cref="ServerProcess.WaitReadyAsync"/>):
    /// development endpoints, co-hosted silo on free ports, on the servers' cores; with
    /// <c>--storage azure</c> on Azurite, in tables of its own (a cold start's server must not share
    /// grain rows with the load scenarios' server, which is still running).
    /// </summary>
    public async Task<ServerProcess> StartHuddleAsync(bool seed, CancellationToken ct)
    {
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Huddle__Demo__Seed"] = seed ? "true" : "false",
            ["Huddle__Orleans__SiloPort"] = ServerProcess.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Huddle__Orleans__GatewayPort"] = ServerProcess.FreePort().ToString(CultureInfo.InvariantCulture),
            // A few bench users make thousands of calls a second: the per-user and per-connection
            // limits (docs/security.md) would refuse them. A token check per call still runs.
            ["Huddle__Dev__Token"] = HuddleTarget.DevToken,
            ["Huddle__Security__RateLimits__HubCallsPerConnection"] = "1000000",
            ["Huddle__Security__RateLimits__HubCallsPerUser"] = "1000000",
            ["Huddle__Security__RateLimits__ApiRequestsPerUser"] = "1000000",
            // The push scenario's push service listens on plain http on loopback, which production refuses.
            ["Huddle__Push__AllowPrivateEndpoints"] = "true",
        };
        if (Durable)
        {
            var azurite = await AzuriteAsync(ct);
            var tables = $"bench{Interlocked.Increment(ref _huddleStarts)}";
            environment["Huddle__Storage__Provider"] = "AzureTable";
            environment["ConnectionStrings__HuddleStorage"] = azurite.ConnectionString;
            environment["Huddle__Storage__AzureTable__TableName"] = tables + "State";
            environment["Huddle__Storage__AzureTable__HistoryTableName"] = tables + "History";
            environment["Huddle__Storage__AzureTable__RemindersTableName"] = tables + "Reminders";
            environment["Huddle__Storage__AzureTable__ClusteringTableName"] = tables + "Silos";
        }

        return ServerProcess.Start(WebDll, environment, options.Pinning, options.ServerRuntime());
    }

    /// <summary>What the summary records about storage and pinning (the processes as the kernel has them pinned now).</summary>
    public JsonObject Describe()
    {
        lock (_pinned)
        {
            var servers = new List<(string, int)>(_pinned);
            foreach (var (name, server) in new[] { ("huddle", _huddleServer), ("baseline", _baselineServer) })
            {
                if (server is { HasExited: false })
                {
                    servers.Add((name, server.Pid));
                }
            }

            var described = options.Pinning.Describe(servers);
            described["serverGen0MiB"] = options.ServerGen0MiB;
            if (options.ServerEnvironment.Count > 0)
            {
                described["serverEnvironment"] = new JsonObject(options.ServerEnvironment.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)e.Value)));
            }
            return described;
        }
    }

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
                _baseline = new BaselineTarget(baselineServer, change, _huddle.GroupName(captureLayout, 0), Durable);
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
            var baseline = new BaselineHandoffTarget(baselineServer, ping, HandoffPeople.TeamId(layout, 0), HandoffPeople.BhcOfDevice(layout, 0, 0), Durable);
            Console.WriteLine($"  captured a Huddle HandoffInboxChanged ping of {baseline.PayloadBytes} bytes; the baseline replays it");
            return (huddle, baseline);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The chat targets for <paramref name="layout"/> on the same two servers: Huddle's teams are made and
    /// one real message event captured, which the baseline replays. Not cached: one chat scenario per run.
    /// </summary>
    public async Task<(HuddleChatTarget Huddle, BaselineChatTarget Baseline)> ChatTargetsAsync(LoadLayout layout, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var (huddleServer, baselineServer) = await ServersAsync(ct);
            var huddle = new HuddleChatTarget(huddleServer);
            var change = await huddle.CaptureMessageAsync(layout, ct);
            var baseline = new BaselineChatTarget(baselineServer, change, ChatPeople.TeamId(layout, 0), Durable);
            Console.WriteLine($"  captured a Huddle ThreadChanged of {baseline.PayloadBytes} bytes; the baseline replays it");
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

        _huddleServer ??= await StartHuddleAsync(seed: false, ct);
        if (_baselineServer is null)
        {
            var environment = new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Development" };
            if (Durable)
            {
                environment["ConnectionStrings__BaselineStorage"] = (await AzuriteAsync(ct)).ConnectionString;
            }

            _baselineServer = ServerProcess.Start(BaselineDll, environment, options.Pinning, options.ServerRuntime());
        }

        await Task.WhenAll(
            _huddleServer.WaitReadyAsync(TimeSpan.FromSeconds(60), ct),
            _baselineServer.WaitReadyAsync(TimeSpan.FromSeconds(60), ct));
        return (_huddleServer, _baselineServer);
    }

    /// <summary>
    /// The one Azurite every durable target writes to (tools/azurite, as the storage tests start it),
    /// started on first use and pinned, every thread, to the servers' cores: storage is server work.
    /// </summary>
    private async Task<AzuriteServer> AzuriteAsync(CancellationToken ct)
    {
        await _storageGate.WaitAsync(ct);
        try
        {
            if (_azurite is null)
            {
                _azurite = options.AzuriteOnDisk ? await AzuriteServer.StartAsync(ct) : await AzuriteServer.StartInMemoryAsync(ct);
                var pid = _azurite.ProcessId ?? throw new InvalidOperationException("Azurite started without a process.");
                options.Pinning.PinServer(pid);
                lock (_pinned)
                {
                    _pinned.Add(("azurite", pid));
                }

                Console.WriteLine($"  Azurite on port {_azurite.Port} (pid {pid}, cores {CpuPinning.Observed(pid)}, tables {(_azurite.InMemory ? "in memory" : "on disk")})");
            }

            return _azurite;
        }
        finally
        {
            _storageGate.Release();
        }
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

        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }

        _gate.Dispose();
        _storageGate.Dispose();
    }
}
