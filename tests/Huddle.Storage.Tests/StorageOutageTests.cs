using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using System.Net;
using System.Net.Sockets;
using Huddle.Silo.Storage;
using Orleans.Storage;
using Huddle.Storage.Tests.Infrastructure;
using Huddle.Testing;
using Huddle.Web.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Huddle.Contracts.Boards;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;

namespace Huddle.Storage.Tests;

/// <summary>
/// With a client supplied, Orleans' provider is bounded only by the SDK client's retry and network
/// timeout (left at the SDK's defaults, a call against storage that never answers took 90 s).
/// Huddle configures both, so an outage fails a call quickly with a clear exception, which the web
/// side reports as <c>unavailable</c>; the next call after storage returns succeeds without a
/// restart. The class has an Azurite of its own, which its tests stop and restart.
/// </summary>
public sealed class StorageOutageTests(StorageOutageTests.OwnAzurite azurite) : IClassFixture<StorageOutageTests.OwnAzurite>
{
    // Far below the SDK's defaults (100 s per attempt), with room for a loaded machine.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_write_during_an_outage_fails_quickly_and_the_next_write_after_recovery_succeeds()
    {
        var server = await azurite.RunningAsync();
        using var configured = await ConfiguredStorage.StartAsync(server, ShortTimeouts);
        var grain = ConfiguredStorage.NewGrainId();
        var state = new TestGrainState<NoteState>(new NoteState { Text = "before" });
        await WriteSettledAsync(configured, grain, state);

        await server.StopAsync();
        state.State.Text = "during";
        var watch = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<GrainStorageUnavailableException>(() => configured.Storage.WriteStateAsync("notes", grain, state));
        watch.Stop();

        Assert.True(watch.Elapsed < Bound, $"took {watch.Elapsed}");
        Assert.Contains(configured.TableName, ex.Message, StringComparison.Ordinal);

        await server.RestartAsync(Ct);
        state.State.Text = "after";
        await WriteSettledAsync(configured, grain, state);
        var read = new TestGrainState<NoteState>();
        await configured.Storage.ReadStateAsync("notes", grain, read);
        Assert.Equal("after", read.State.Text);
    }

    /// <summary>
    /// A write with these 1 s timeouts on a loaded machine: when Azurite's answer comes after the timeout,
    /// the SDK sends the write again and it conflicts with itself (the first landed: 409 on an insert, 412
    /// on an update). The write is then in storage, which a read shows; anything else is a failure.
    /// </summary>
    private static async Task WriteSettledAsync(ConfiguredStorage configured, GrainId grain, TestGrainState<NoteState> state)
    {
        try
        {
            await configured.Storage.WriteStateAsync("notes", grain, state);
        }
        catch (TableStorageUpdateConditionNotSatisfiedException)
        {
            var stored = new TestGrainState<NoteState>();
            await configured.Storage.ReadStateAsync("notes", grain, stored);
            Assert.Equal(state.State.Text, stored.State.Text);
            state.ETag = stored.ETag;
        }
    }

    [Fact]
    public async Task Storage_that_accepts_connections_but_never_answers_fails_within_the_configured_network_timeout()
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
        var settings = HuddleTestCluster.AzureTableConfig(await azurite.RunningAsync());
        ShortTimeouts(settings);
        settings["ConnectionStrings:HuddleStorage"] = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";
        var config = new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(settings).Build();

        // The very client every Huddle table and Orleans provider is given.
        var tables = HuddleStorageExtensions.TableOptions(config).CreateServiceClient();
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<Exception>(() => tables.GetTableClient("blackhole").GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>("p", "r", cancellationToken: Ct));
        watch.Stop();

        await accepting.CancelAsync();
        await accept;
        held.ForEach(c => c.Dispose());
        Assert.True(watch.Elapsed < Bound, $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task A_board_change_during_an_outage_is_unavailable_within_the_bound_and_the_grain_recovers_without_a_silo_restart()
    {
        var server = await azurite.RunningAsync();
        var settings = HuddleTestCluster.AzureTableConfig(server);
        ShortTimeouts(settings);
        await using var cluster = await HuddleTestCluster.StartAsync("huddle-" + Guid.NewGuid().ToString("N"), settings);
        var teamId = "team-" + Guid.NewGuid().ToString("N");
        var team = cluster.Client.GetGrain<ICareTeamGrain>(teamId);
        await team.SetProfileAsync(HuddleTestCluster.Team(teamId, "u-pcp"));
        Assert.True((await team.ExecuteAsync("u-pcp", new AddNote(NoteKind.LookBack, "before the outage"))).Ok);

        await server.StopAsync();
        var watch = Stopwatch.StartNew();
        var failure = await Assert.ThrowsAsync<GrainStorageUnavailableException>(() => team.ExecuteAsync("u-pcp", new AddNote(NoteKind.LookBack, "during the outage")));
        watch.Stop();
        // What the web layer answers for it: unavailable (a retry may succeed), not a 500.
        Assert.True(Failures.IsUnavailable(failure));
        Assert.Equal(ErrorCodes.Unavailable, Failures.Unavailable.Code);
        Assert.True(watch.Elapsed < Bound, $"the call took {watch.Elapsed}");

        await server.RestartAsync(Ct);
        Assert.True((await team.ExecuteAsync("u-pcp", new AddNote(NoteKind.LookBack, "after the outage"))).Ok);
        var board = (await team.GetBoardAsync("u-pcp")).Value!.Board;
        Assert.Equal(["before the outage", "after the outage"], board.Notes.Select(n => n.Text));
    }

    // Azurite's well-known development account key (public, documented; not a secret).
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static void ShortTimeouts(Dictionary<string, string?> settings)
    {
        settings["Huddle:Storage:AzureTable:NetworkTimeout"] = "00:00:01";
        settings["Huddle:Storage:AzureTable:MaxRetries"] = "2";
        settings["Huddle:Storage:AzureTable:RetryDelay"] = "00:00:00.100";
        settings["Huddle:Storage:AzureTable:MaxRetryDelay"] = "00:00:00.500";
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
