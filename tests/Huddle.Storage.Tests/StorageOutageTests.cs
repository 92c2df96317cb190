using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Huddle.Silo.Storage;
using Huddle.Storage.Tests.Infrastructure;
using Huddle.Contracts.Boards;
using Huddle.Contracts.CareTeams;

namespace Huddle.Storage.Tests;

/// <summary>
/// Storage outages fail calls within a bounded time with a clear exception, and the next call after
/// storage returns succeeds without restarting anything. The class has an Azurite of its own,
/// which its tests (run one after another) stop and restart.
/// </summary>
public sealed class StorageOutageTests(StorageOutageTests.OwnAzurite azurite) : IClassFixture<StorageOutageTests.OwnAzurite>
{
    // Far below what an unbounded SDK call takes (100 s per attempt), with room for a loaded machine.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_write_during_an_outage_fails_quickly_and_the_next_write_after_recovery_succeeds()
    {
        var server = await azurite.RunningAsync();
        var storage = await TestStorage.CreateAsync(server, ShortTimeouts);
        var grain = TestStorage.NewGrainId();
        var state = new TestGrainState<NoteState>(new NoteState { Text = "before" });
        await storage.WriteStateAsync("notes", grain, state);

        await server.StopAsync();
        state.State.Text = "during";
        var watch = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<GrainStorageUnavailableException>(() => storage.WriteStateAsync("notes", grain, state));
        watch.Stop();

        Assert.True(watch.Elapsed < Bound, $"took {watch.Elapsed}");
        Assert.Contains(storage.Table.TableName, ex.Message, StringComparison.Ordinal);
        Assert.Contains("unreachable", ex.Message, StringComparison.Ordinal);

        await server.RestartAsync(Ct);
        state.State.Text = "after";
        await storage.WriteStateAsync("notes", grain, state);
        var read = new TestGrainState<NoteState>();
        await storage.ReadStateAsync("notes", grain, read);
        Assert.Equal("after", read.State.Text);
    }

    [Fact]
    public async Task Storage_that_accepts_connections_but_never_answers_fails_within_the_operation_timeout()
    {
        // A black hole: connections are accepted, no byte ever comes back.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var held = new List<TcpClient>();
        using var accepting = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var accept = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    held.Add(await listener.AcceptTcpClientAsync(accepting.Token));
                }
            }
            catch (OperationCanceledException)
            {
            }
        }, Ct);
        var options = new HuddleTableStorageOptions
        {
            ConnectionString = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1;",
            GrainStorageSerializer = OrleansServices.Serializer,
        };
        ShortTimeouts(options);

        // Each attempt could wait 30 s for an answer; the operation's own deadline cuts it at 2 s.
        options.NetworkTimeout = TimeSpan.FromSeconds(30);
        options.OperationTimeout = TimeSpan.FromSeconds(2);
        var storage = TestStorage.Create(options);

        var watch = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<GrainStorageUnavailableException>(
            () => storage.WriteStateAsync("notes", TestStorage.NewGrainId(), new TestGrainState<NoteState>()));
        watch.Stop();

        await accepting.CancelAsync();
        await accept;
        held.ForEach(c => c.Dispose());
        Assert.True(watch.Elapsed < Bound, $"took {watch.Elapsed}");
        Assert.Contains("did not complete a write within 2 s", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_board_change_during_an_outage_fails_clearly_and_the_grain_recovers_without_a_silo_restart()
    {
        var server = await azurite.RunningAsync();
        var settings = HuddleTestCluster.AzureTableConfig(server);
        settings["Huddle:Storage:AzureTable:OperationTimeout"] = "00:00:04";
        settings["Huddle:Storage:AzureTable:NetworkTimeout"] = "00:00:01";
        settings["Huddle:Storage:AzureTable:MaxRetries"] = "2";
        settings["Huddle:Storage:AzureTable:RetryDelay"] = "00:00:00.100";
        await using var cluster = await HuddleTestCluster.StartAsync("huddle-" + Guid.NewGuid().ToString("N"), settings);
        var teamId = "team-" + Guid.NewGuid().ToString("N");
        var team = cluster.Client.GetGrain<ICareTeamGrain>(teamId);
        await team.SetProfileAsync(HuddleTestCluster.Team(teamId, "u-pcp"));
        Assert.True((await team.ExecuteAsync("u-pcp", new AddNote(NoteKind.LookBack, "before the outage"))).Ok);

        await server.StopAsync();
        var watch = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<GrainStorageUnavailableException>(
            () => team.ExecuteAsync("u-pcp", new AddNote(NoteKind.LookBack, "during the outage")));
        watch.Stop();
        Assert.True(watch.Elapsed < Bound, $"took {watch.Elapsed}");
        Assert.Contains("unreachable", ex.Message, StringComparison.Ordinal);

        await server.RestartAsync(Ct);
        Assert.True((await team.ExecuteAsync("u-pcp", new AddNote(NoteKind.LookBack, "after the outage"))).Ok);
        var board = (await team.GetBoardAsync("u-pcp")).Value!.Board;
        Assert.Equal(["before the outage", "after the outage"], board.Notes.Select(n => n.Text));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static void ShortTimeouts(HuddleTableStorageOptions options)
    {
        options.OperationTimeout = TimeSpan.FromSeconds(3);
        options.NetworkTimeout = TimeSpan.FromSeconds(1);
        options.MaxRetries = 2;
        options.RetryDelay = TimeSpan.FromMilliseconds(100);
        options.MaxRetryDelay = TimeSpan.FromMilliseconds(500);
    }

    /// <summary>An Azurite for this class alone, so stopping it never disturbs other test classes.</summary>
    public sealed class OwnAzurite : IAsyncLifetime
    {
        private AzuriteServer? _server;

        /// <summary>The emulator, restarted first if an earlier test left it stopped.</summary>
        public async Task<AzuriteServer> RunningAsync()
        {
            var server = _server ?? throw new InvalidOperationException("Azurite is not started.");
            if (!server.IsRunning)
            {
                await server.RestartAsync(TestContext.Current.CancellationToken);
            }

            return server;
        }

        public async ValueTask InitializeAsync() => _server = await AzuriteServer.StartAsync(TestContext.Current.CancellationToken);

        public async ValueTask DisposeAsync()
        {
            if (_server is not null)
            {
                await _server.DisposeAsync();
            }
        }
    }
}
