using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using Huddle.Grains.Presence;
using Huddle.Storage.Tests.Infrastructure;
using Huddle.Testing;
using Microsoft.AspNetCore.SignalR.Client;

namespace Huddle.Storage.Tests;

/// <summary>
/// Presence across killed web hosts (docs/api.md, "Presence"), two hosts in one cluster on Azure Table
/// storage (Azurite): a PCP watches the team's presence from one host while a consultant, connected to the
/// other, chooses do-not-disturb. The consultant's host is SIGKILLed: their connection never says goodbye,
/// and the watcher sees them turn offline once its heartbeats stop counting. The host comes back, the
/// consultant reconnects, and their chosen status is back (it is stored). Then the watcher's host is killed
/// and restarted too: by then the roster has been re-activated at least once wherever it lived, and its
/// seq is not stored, so a watcher resuming from where it began gets one reset in a new epoch — never
/// changes of another numbering. The watcher keeps its copy by the documented rules throughout (a reset
/// event or a gap: resume), and at each step the copy is the roster the server holds.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class PresenceAcrossKilledHostsTests(AzuriteFixture azurite)
{
    /// <summary>
    /// How long a silent connection counts (docs/api.md says 60 s; shortened so the test waits less). The
    /// roster checks every 30 s, and the cluster must first declare the dead host gone if the grains lived
    /// there: 150 s leave room for all three on a loaded machine.
    /// </summary>
    private static readonly TimeSpan OfflineAfter = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(150);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_clinician_on_a_killed_host_turns_offline_for_watchers_elsewhere_and_comes_back_with_the_chosen_status()
    {
        var tables = $"Presence{Guid.NewGuid():N}"[..20];
        var n = Guid.NewGuid().ToString("N")[..8];
        var (teamId, pcp, bhc) = ($"team-pk-{n}", $"u-pcp-{n}", $"u-bhc-{n}");
        var settings = new Dictionary<string, string>
        {
            ["Huddle__Clustering__Provider"] = "AzureTable",
            ["Huddle__Orleans__ClusterId"] = $"presence-{n}",
            ["Huddle__Presence__OfflineAfter"] = OfflineAfter.ToString("c", CultureInfo.InvariantCulture),
        };
        await using var watcherHost = new HuddleWebProcess(azurite.Server.ConnectionString, tables, settings);
        await using var bhcHost = new HuddleWebProcess(azurite.Server.ConnectionString, tables, settings);
        await Task.WhenAll(watcherHost.StartAsync(Ct), bhcHost.StartAsync(Ct));
        await watcherHost.PutTeamAsync(teamId, new
        {
            name = "Presence team",
            members = new[] { new { userId = pcp, displayName = "Dr. Pat Carter", role = "pcp" }, new { userId = bhc, displayName = "Sam Okafor", role = "bhc" } },
        }, Ct);

        // A token made now works on either host and after restarts: they sign with the key ring they share on this storage.
        using var asPcp = await watcherHost.ClientForAsync(pcp, Ct);
        var clock = Stopwatch.StartNew();
        void Log(string what) => TestContext.Current.TestOutputHelper?.WriteLine($"{clock.Elapsed.TotalSeconds,6:0.0} s  {what}");

        var copy = new RosterCopy();
        var watcher = await WatchAsync(watcherHost, pcp, teamId, copy);
        var (firstSeq, firstEpoch) = (copy.Seq, copy.Epoch);
        Assert.Equal("offline", copy.Status(bhc));

        // The consultant connects to the other host, keeps heartbeating as a client does, and chooses do-not-disturb.
        var consultant = await ConnectAsync(bhcHost, bhc);
        var chosen = await consultant.Hub.InvokeAsync<JsonElement>("SetPresence", "doNotDisturb", Ct);
        Assert.Equal("doNotDisturb", chosen.GetProperty("status").GetString());
        await watcher.FollowAsync(() => copy.Status(bhc) == "doNotDisturb");
        Log("the watcher sees the consultant on do-not-disturb");
        await AgreesAsync(watcher, asPcp, teamId, copy, bhc);

        // Their host dies: no disconnect is ever sent, and their heartbeats stop. The watcher, on the surviving host, sees them go offline.
        await consultant.StopHeartbeatsAsync();
        await bhcHost.KillAsync();
        await consultant.DisposeAsync();
        var killedAt = clock.Elapsed;
        Log("the consultant's host killed");
        await watcher.FollowAsync(() => copy.Status(bhc) == "offline");
        var tookOffline = clock.Elapsed - killedAt;
        Log($"the watcher sees the consultant offline, {tookOffline.TotalSeconds:0} s after the kill ({watcher.Resets} resets on the way)");
        if (watcher.Resets == 0)
        {
            // The roster lived on the surviving host: it turned them offline itself, once their heartbeats stopped counting
            // and its periodic check came round (plus the time to declare the dead host gone if their presence grain was there).
            Assert.True(tookOffline <= OfflineAfter + TeamPresenceGrain.RefreshEvery + TimeSpan.FromSeconds(30), $"offline only after {tookOffline}");
        }

        await AgreesAsync(watcher, asPcp, teamId, copy, bhc);

        // The host comes back and the consultant reconnects there: the status they chose is theirs again, and the watcher sees it.
        await bhcHost.StartAsync(Ct);
        consultant = await ConnectAsync(bhcHost, bhc);
        var again = await consultant.Hub.InvokeAsync<JsonElement>("Heartbeat", Ct);
        Assert.Equal("doNotDisturb", again.GetProperty("status").GetString());
        Assert.Equal("doNotDisturb", again.GetProperty("chosen").GetString());
        await watcher.FollowAsync(() => copy.Status(bhc) == "doNotDisturb");
        Log("the consultant is back on do-not-disturb for the watcher");

        // The watcher's own host is killed and restarted; the watcher reconnects there and resumes its copy by the
        // same rules (a reset, or the changes of its own epoch), and follows until it is the server's roster.
        await watcher.StopHeartbeatsAsync();
        await watcherHost.KillAsync();
        await watcher.DisposeAsync();
        await watcherHost.StartAsync(Ct);
        Log("the watcher's host killed and started again");
        var (seqAtKill, epochAtKill) = (copy.Seq, copy.Epoch);
        watcher = await WatchAsync(watcherHost, pcp, teamId, copy);
        Log($"the copy kept until the kill resumed: {(copy.Epoch == epochAtKill ? $"same epoch, seq {seqAtKill} → {copy.Seq}" : "reset in a new epoch")}");
        await watcher.FollowAsync(() => copy.Status(bhc) == "doNotDisturb");
        await AgreesAsync(watcher, asPcp, teamId, copy, bhc);

        // The resumed connection is live: the consultant's next choice reaches it as a change.
        var busy = await consultant.Hub.InvokeAsync<JsonElement>("SetPresence", "busy", Ct);
        Assert.Equal("busy", busy.GetProperty("status").GetString());
        await watcher.FollowAsync(() => copy.Status(bhc) == "busy");
        await AgreesAsync(watcher, asPcp, teamId, copy, bhc);

        // The roster has been re-activated at least once since the watcher began (it lived on one of the two
        // killed hosts) and does not store its seq: that first position is of another epoch, answered with one
        // reset and the snapshot, never with changes of the new numbering.
        var fromTheStart = await watcher.Hub.InvokeAsync<JsonElement>("ResumeTeamPresence", teamId, firstSeq, firstEpoch, Ct);
        Assert.True(fromTheStart.GetProperty("ok").GetBoolean(), fromTheStart.ToString());
        Assert.True(fromTheStart.GetProperty("reset").GetBoolean(), fromTheStart.ToString());
        Assert.NotEqual(firstEpoch, fromTheStart.GetProperty("epoch").GetInt64());
        Assert.Equal(0, fromTheStart.GetProperty("changes").GetArrayLength());
        Assert.Equal(copy.Epoch, fromTheStart.GetProperty("epoch").GetInt64());
        await watcher.DisposeAsync();
        await consultant.DisposeAsync();
    }

    /// <summary>
    /// The copy comes to list the roster's members, in order, and the consultant's status as the server holds them
    /// (others may be moving: their heartbeats are not published): changes in flight are applied as they arrive.
    /// </summary>
    private static async Task AgreesAsync(Connected watcher, HttpClient http, string teamId, RosterCopy copy, string consultant)
    {
        var deadline = DateTimeOffset.UtcNow + Wait;
        while (true)
        {
            // Until the cluster has declared a killed host dead, a call to a grain that lived there fails (503); a client tries again.
            using var read = await http.GetAsync($"api/teams/{teamId}/presence", Ct);
            if (read.IsSuccessStatusCode)
            {
                var server = new RosterCopy();
                server.Resume(await read.Content.ReadFromJsonAsync<JsonElement>(Ct));
                if ((server.Members.SequenceEqual(copy.Members) && server.Status(consultant) == copy.Status(consultant)) || DateTimeOffset.UtcNow > deadline)
                {
                    Assert.Equal(server.Members, copy.Members);
                    Assert.Equal(server.Status(consultant), copy.Status(consultant));
                    return;
                }
            }
            else
            {
                Assert.True(DateTimeOffset.UtcNow < deadline, $"the roster could not be read: {(int)read.StatusCode}");
            }

            await watcher.FollowForAsync(TimeSpan.FromSeconds(1));
        }
    }

    private static async Task<Connected> ConnectAsync(HuddleWebProcess host, string userId) => new(await host.HubForAsync(userId, Ct));

    /// <summary>A connection of <paramref name="userId"/> keeping <paramref name="copy"/> of the team's presence: subscribed when the copy is new, else resumed from its position.</summary>
    private static async Task<Connected> WatchAsync(HuddleWebProcess host, string userId, string teamId, RosterCopy copy)
    {
        var connected = new Connected(await host.HubForAsync(userId, Ct), teamId, copy);
        var reply = copy.Epoch == 0
            ? await connected.Hub.InvokeAsync<JsonElement>("SubscribeTeamPresence", teamId, Ct)
            : await connected.Hub.InvokeAsync<JsonElement>("ResumeTeamPresence", teamId, copy.Seq, copy.Epoch, Ct);
        Assert.True(reply.GetProperty("ok").GetBoolean(), reply.ToString());
        copy.Resume(reply);
        return connected;
    }

    /// <summary>A started hub connection that heartbeats every 4 s as a client does (a heartbeat that fails while a host is gone is simply sent again later).</summary>
    private sealed class Connected : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _heartbeats;
        private readonly ChannelReader<JsonElement>? _events;
        private readonly string? _teamId;
        private readonly RosterCopy? _copy;

        public Connected(HubConnection hub, string? teamId = null, RosterCopy? copy = null)
        {
            Hub = hub;
            (_teamId, _copy) = (teamId, copy);
            _events = copy is null ? null : HubConnections.Record(hub, "TeamPresenceChanged");
            _heartbeats = Task.Run(async () =>
            {
                using var every = new PeriodicTimer(TimeSpan.FromSeconds(4));
                while (await every.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
                {
                    try
                    {
                        await hub.InvokeAsync<JsonElement>("Heartbeat", _stop.Token);
                    }
                    catch (Exception) when (!_stop.IsCancellationRequested)
                    {
                        // The host is gone or the silo holding the grain is not yet declared dead: try at the next tick.
                    }
                }
            });
        }

        public HubConnection Hub { get; }

        /// <summary>How many times the copy was reset on the way (a reset event, a gap, or a new epoch).</summary>
        public int Resets { get; private set; }

        /// <summary>Applies <c>TeamPresenceChanged</c> events by the documented rules until <paramref name="until"/> holds: a numbered change in order; a reset event or a gap → <c>ResumeTeamPresence</c>.</summary>
        public async Task FollowAsync(Func<bool> until)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(Wait);
            while (!until())
            {
                await ApplyAsync(await _events!.ReadAsync(timeout.Token), timeout.Token);
            }
        }

        /// <summary>Applies the events that arrive within <paramref name="window"/>.</summary>
        public async Task FollowForAsync(TimeSpan window)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(window);
            try
            {
                while (true)
                {
                    await ApplyAsync(await _events!.ReadAsync(timeout.Token), Ct);
                }
            }
            catch (OperationCanceledException) when (!Ct.IsCancellationRequested)
            {
            }
        }

        private async Task ApplyAsync(JsonElement change, CancellationToken ct)
        {
            if (_copy!.Apply(change))
            {
                return;
            }

            Resets++;
            while (true)
            {
                var reply = await Hub.InvokeAsync<JsonElement>("ResumeTeamPresence", _teamId, _copy.Seq, _copy.Epoch, ct);
                if (reply.GetProperty("ok").GetBoolean())
                {
                    _copy.Resume(reply);
                    return;
                }

                // A roster whose host was just killed answers unavailable until the cluster has declared that host dead: try again.
                Assert.Equal("unavailable", reply.GetProperty("error").GetProperty("code").GetString());
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
        }

        /// <summary>No more heartbeats; the connection stays as it is (a host killed under it never closes it).</summary>
        public async Task StopHeartbeatsAsync()
        {
            await _stop.CancelAsync();
            try
            {
                await _heartbeats;
            }
            catch (OperationCanceledException)
            {
            }
        }

        public async ValueTask DisposeAsync()
        {
            await StopHeartbeatsAsync();
            await Hub.DisposeAsync();
            _stop.Dispose();
        }
    }

    /// <summary>A copy of a team's presence roster: its position and each clinician's status, in roster order.</summary>
    private sealed class RosterCopy
    {
        private readonly List<(string UserId, string Status)> _members = [];

        public long Seq { get; private set; }

        public long Epoch { get; private set; }

        public IEnumerable<string> Members => _members.Select(m => m.UserId);

        public string? Status(string userId) => _members.Find(m => m.UserId == userId).Status;

        /// <summary>A feed reply: the snapshot when it says reset, else its changes, which must follow on.</summary>
        public void Resume(JsonElement reply)
        {
            Epoch = reply.GetProperty("epoch").GetInt64();
            if (reply.GetProperty("reset").GetBoolean())
            {
                var snapshot = reply.GetProperty("snapshot");
                _members.Clear();
                _members.AddRange(snapshot.GetProperty("members").EnumerateArray().Select(m => (m.GetProperty("userId").GetString()!, m.GetProperty("status").GetString()!)));
                Seq = reply.GetProperty("seq").GetInt64();
                return;
            }

            foreach (var change in reply.GetProperty("changes").EnumerateArray())
            {
                Assert.True(Apply(change), change.ToString());
            }

            Assert.Equal(reply.GetProperty("seq").GetInt64(), Seq);
        }

        /// <summary>A numbered change: false when it asks for a resume (a reset, or a gap after the copy's seq); one at or below the seq is ignored.</summary>
        public bool Apply(JsonElement change)
        {
            var seq = change.GetProperty("seq").GetInt64();
            if (change.GetProperty("reset").GetBoolean() || seq > Seq + 1)
            {
                return false;
            }

            if (seq == Seq + 1)
            {
                var member = change.GetProperty("member");
                var userId = member.GetProperty("userId").GetString()!;
                var at = _members.FindIndex(m => m.UserId == userId);
                Assert.True(at >= 0, $"a change for {userId}, who is not on the roster's snapshot");
                _members[at] = (userId, member.GetProperty("status").GetString()!);
                Seq = seq;
            }

            return true;
        }
    }
}
