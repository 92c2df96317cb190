using System.Globalization;

namespace Huddle.Bench;

/// <summary>Command-line options. Every count and duration is bounded so a run always ends.</summary>
internal sealed class BenchOptions
{
    public const string Usage = """
        Huddle load bench: Huddle vs a bare SignalR baseline, on loopback.

        dotnet run -c Release --project bench/Huddle.Bench -- [options]

          --quick                 fanout only, N=1,000, one round per target (~1 min, for trend tracking);
                                  with --storage azure, fanout and handoff
          --scenario a,b,...      fanout, teams, handoff, chat, grains, coldstart, panel, revoke, push (default:
                                  all but handoff, chat, revoke and push)
          --out <path>            write the JSON summary there (default: bench-results/bench.json)
          --rounds <n>            alternating rounds per target for load scenarios (default 3, quick 1)
          --subscribers <n>       fanout subscribers (default 1000)
          --rate <n>              fanout updates per second (default 5 → 5,000 deliveries/s at N=1,000)
          --teams <n>             teams scenario: number of teams (default 200)
          --members <n>           teams scenario: subscribers per team (default 25)
          --team-rate <n>         teams scenario: updates per second per team (default 0.25 → 1,250 deliveries/s)
          --handoff-teams <n>     handoff scenario: teams, each a PCP requesting (default 100)
          --handoff-bhcs <n>      handoff scenario: BHCs per team, each with 2 devices, all pinged (default 2)
          --handoff-rate <n>      handoff scenario: handoffs requested per second, all teams together (default 20)
          --chat-threads <n>      chat scenario: team threads, each written in by one member (default 20)
          --chat-members <n>      chat scenario: members per thread, one device each (default 25)
          --chat-rate <n>         chat scenario: messages per second, all threads together (default 20 → 500 deliveries/s)
          --duration <s>          measured seconds per run (default 10, quick 6)
          --warmup <s>            warm-up seconds per run, not measured (default 3, quick 5)
          --prime <s>             load scenarios: one unmeasured run of each target, this long, before the
                                  first round, so round 1 meets servers as warm as later rounds do
                                  (default 20, quick 0; 0: none)
          --grains <n>            patient grains for the grains scenario (default 100000)
          --coldstarts <n>        cold starts to time (default 3)
          --revoke-rounds <n>     revoke and push scenarios: counted rounds (default 20)
          --storage memory|azure  Huddle's grain storage (default memory). azure starts the pinned Azurite
                                  (tools/azurite), runs Huddle on Azure Table storage and the baseline in
                                  its durable floor mode (one table write of the payload, then the send);
                                  load keys become board_durable_*/board_floor_* (fanout), teams_durable_*,
                                  handoff_durable_*/handoff_floor_*,
                                  chat_durable_*/chat_floor_*
          --azurite memory|disk   where Azurite keeps its tables (default memory: never saved; disk: in a data
                                  folder it saves whole every 5 s on its one thread, as the storage tests run
                                  it, a pause Azure Table storage does not have)
          --pin auto|off|C/S      cores: auto (default) puts the load generator on the lower half of the
                                  cores and every server (Huddle, baseline, Azurite) on the upper half
                                  (on 2 cores: 0 and 1); C/S names them, e.g. 0/1; off shares all cores
          --server-gen0 <MiB>     every server's (Huddle's and the baseline's alike) smallest gen-0 budget, set as
                                  DOTNET_GCgen0size (default 64, the setting docs/operations.md gives a deployment;
                                  0: the runtime's own, sized from the CPU cache); the bench itself keeps the default
          --server-env K=V        one more environment variable for every server alike (Huddle's and the
                                  baseline's), e.g. DOTNET_TieredPGO=0 for an A/B of a runtime setting;
                                  repeatable; recorded in the summary
          --compare <path>        an earlier summary (same options): print how far each goal's figure and
                                  each target's p50/p99 moved, and whether within ±15 %
          --build                 build both targets (Release) first; `dotnet run -c Release` already
                                  builds them as project references, so this is for a bare exe
        """;

    public bool Quick { get; private set; }
    public IReadOnlyList<string> Scenarios { get; private set; } = ["fanout", "teams", "grains", "coldstart", "panel"];
    public string Out { get; private set; } = Path.Combine("bench-results", "bench.json");
    public int Rounds { get; private set; } = 3;
    public int Subscribers { get; private set; } = 1000;
    public double Rate { get; private set; } = 5;
    public int Teams { get; private set; } = 200;
    public int Members { get; private set; } = 25;
    public double TeamRate { get; private set; } = 0.25;
    public int HandoffTeams { get; private set; } = 100;
    public int HandoffBhcs { get; private set; } = 2;
    public double HandoffRate { get; private set; } = 20;
    public int ChatThreads { get; private set; } = 20;
    public int ChatMembers { get; private set; } = 25;
    public double ChatRate { get; private set; } = 20;
    public TimeSpan Duration { get; private set; } = TimeSpan.FromSeconds(10);
    public TimeSpan Warmup { get; private set; } = TimeSpan.FromSeconds(3);

    /// <summary>An unmeasured run of each target before a load scenario's first round (zero: none).</summary>
    public TimeSpan Prime { get; private set; } = TimeSpan.FromSeconds(20);
    public int Grains { get; private set; } = 100_000;
    public int ColdStarts { get; private set; } = 3;

    /// <summary>The revoke scenario's counted rounds (each a message delivered and a removal, alternating which goes first).</summary>
    public int RevokeRounds { get; private set; } = 20;
    public bool Build { get; private set; }
    public StorageMode Storage { get; private set; } = StorageMode.Memory;
    public CpuPinning Pinning { get; private set; } = CpuPinning.None;

    /// <summary>True when Azurite keeps its tables in a data folder it saves every 5 s (<c>--azurite disk</c>).</summary>
    public bool AzuriteOnDisk { get; private set; }
    public string? Compare { get; private set; }

    /// <summary>The servers' smallest gen-0 budget in MiB (<c>DOTNET_GCgen0size</c>); 0 leaves the runtime's own.</summary>
    public int ServerGen0MiB { get; private set; } = 64;

    /// <summary>More environment variables for every server alike (<c>--server-env K=V</c>), by name.</summary>
    public IReadOnlyDictionary<string, string> ServerEnvironment => _serverEnvironment;

    private readonly SortedDictionary<string, string> _serverEnvironment = new(StringComparer.Ordinal);

    /// <summary>
    /// What every server's environment gets from the options, Huddle's and the baseline's alike: the gen-0
    /// budget (<c>DOTNET_GCgen0size</c>, absent for the runtime's own) and each <c>--server-env</c>.
    /// </summary>
    public IReadOnlyDictionary<string, string> ServerRuntime()
    {
        var runtime = new Dictionary<string, string>(_serverEnvironment, StringComparer.Ordinal);
        if (ServerGen0MiB > 0)
        {
            runtime["DOTNET_GCgen0size"] = $"0x{ServerGen0MiB * 1024L * 1024L:X}";
        }

        return runtime;
    }

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var o = new BenchOptions();
        if (args.Contains("--quick"))
        {
            o.Quick = true;
            o.Scenarios = ["fanout"];
            o.Rounds = 1;
            o.Duration = TimeSpan.FromSeconds(6);
            // Long enough for tiered JIT to settle on the hot paths; a shorter warm-up measured JIT, not Huddle.
            o.Warmup = TimeSpan.FromSeconds(5);
            o.Prime = TimeSpan.Zero;
        }

        var pin = "auto";
        var scenariosGiven = false;
        for (var i = 0; i < args.Count; i++)
        {
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--quick":
                    break;
                case "--scenario" or "--scenarios":
                    o.Scenarios = [.. Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
                    scenariosGiven = true;
                    break;
                case "--storage":
                    o.Storage = Next() switch
                    {
                        "memory" => StorageMode.Memory,
                        "azure" => StorageMode.Azure,
                        var other => throw new ArgumentException($"--storage '{other}': use memory or azure."),
                    };
                    break;
                case "--azurite":
                    o.AzuriteOnDisk = Next() switch
                    {
                        "memory" => false,
                        "disk" => true,
                        var other => throw new ArgumentException($"--azurite '{other}': use memory or disk."),
                    };
                    break;
                case "--pin":
                    pin = Next();
                    break;
                case "--server-gen0":
                    o.ServerGen0MiB = Int(Next(), 0, 1_024);
                    break;
                case "--server-env":
                    var setting = Next();
                    var equals = setting.IndexOf('=', StringComparison.Ordinal);
                    if (equals <= 0 || setting[..equals] == "DOTNET_GCgen0size")
                    {
                        throw new ArgumentException($"--server-env '{setting}': use NAME=VALUE (the gen-0 budget has --server-gen0).");
                    }

                    o._serverEnvironment[setting[..equals]] = setting[(equals + 1)..];
                    break;
                case "--compare":
                    o.Compare = Next();
                    break;
                case "--out":
                    o.Out = Next();
                    break;
                case "--rounds":
                    o.Rounds = Int(Next(), 1, 20);
                    break;
                case "--subscribers":
                    o.Subscribers = Int(Next(), 1, 20_000);
                    break;
                case "--rate":
                    o.Rate = Num(Next(), 0.1, 10_000);
                    break;
                case "--teams":
                    o.Teams = Int(Next(), 1, 2_000);
                    break;
                case "--members":
                    o.Members = Int(Next(), 1, 1_000);
                    break;
                case "--team-rate":
                    o.TeamRate = Num(Next(), 0.01, 1_000);
                    break;
                case "--handoff-teams":
                    o.HandoffTeams = Int(Next(), 1, 2_000);
                    break;
                case "--handoff-bhcs":
                    o.HandoffBhcs = Int(Next(), 1, 50);
                    break;
                case "--handoff-rate":
                    o.HandoffRate = Num(Next(), 0.1, 1_000);
                    break;
                case "--chat-threads":
                    o.ChatThreads = Int(Next(), 1, 2_000);
                    break;
                case "--chat-members":
                    o.ChatMembers = Int(Next(), 1, 1_000);
                    break;
                case "--chat-rate":
                    o.ChatRate = Num(Next(), 0.1, 1_000);
                    break;
                case "--duration":
                    o.Duration = TimeSpan.FromSeconds(Num(Next(), 1, 600));
                    break;
                case "--warmup":
                    o.Warmup = TimeSpan.FromSeconds(Num(Next(), 0, 120));
                    break;
                case "--prime":
                    o.Prime = TimeSpan.FromSeconds(Num(Next(), 0, 120));
                    break;
                case "--grains":
                    o.Grains = Int(Next(), 1, 2_000_000);
                    break;
                case "--coldstarts":
                    o.ColdStarts = Int(Next(), 1, 20);
                    break;
                case "--revoke-rounds":
                    o.RevokeRounds = Int(Next(), 1, 500);
                    break;
                case "--build":
                    o.Build = true;
                    break;
                case "--no-build":
                    o.Build = false;
                    break;
                default:
                    throw new ArgumentException($"Unknown option '{args[i]}'.");
            }
        }

        o.Pinning = CpuPinning.Parse(pin);
        if (o.Quick && !scenariosGiven && o.Storage == StorageMode.Azure)
        {
            // The durable handoff ping is the figure the durable mode exists for.
            o.Scenarios = ["fanout", "handoff"];
        }

        // The devices heartbeat (every 20 s, as a client must), so presence holds however long a run is;
        // but a handoff left open 5 minutes escalates (the bench's policy: urgent, 300 s) and would ping
        // again: a run's handoffs are cancelled after it, so a run stays well inside that.
        if (o.Scenarios.Contains("handoff") && (o.Warmup + o.Duration).TotalSeconds > MaxHandoffRunSeconds)
        {
            throw new ArgumentException($"handoff: --warmup + --duration must be at most {MaxHandoffRunSeconds} s (an open handoff escalates after 300 s).");
        }

        if (o.Scenarios.Contains("handoff") && o.Prime.TotalSeconds > MaxHandoffRunSeconds)
        {
            throw new ArgumentException($"handoff: --prime must be at most {MaxHandoffRunSeconds} s (an open handoff escalates after 300 s).");
        }

        return o;
    }

    /// <summary>The longest warm-up plus measured time of one handoff run (connections set up before and drained after): inside the bench policy's 300 s urgent deadline.</summary>
    public const int MaxHandoffRunSeconds = 240;

    private static int Int(string s, int min, int max) =>
        int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
            ? v
            : throw new ArgumentException($"'{s}' is not a whole number in [{min}, {max}].");

    private static double Num(string s, double min, double max) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
            ? v
            : throw new ArgumentException($"'{s}' is not a number in [{min}, {max}].");
}

/// <summary>Where Huddle keeps grain state during a bench run, and whether the baseline writes before it sends.</summary>
internal enum StorageMode
{
    /// <summary>Huddle's in-memory storage; the baseline only sends.</summary>
    Memory,

    /// <summary>Huddle on Azure Table storage (Azurite); the baseline writes the payload to a table, then sends.</summary>
    Azure,
}
