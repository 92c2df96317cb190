using System.Collections.Concurrent;
using Huddle.Contracts.Live;
using Huddle.Testing;
using Huddle.Web.Live;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Huddle.Web.Tests.FeedCore;

/// <summary>The relay against a fake owner and a fake SignalR: its ordering, repair and bounds, with no cluster.</summary>
public sealed class FeedRelayTests : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly ConcurrentDictionary<string, FakeOwner> _owners = new();
    private readonly FakeHub _hub = new();
    private readonly List<CancellationTokenSource> _connections = [];

    private FeedRelay Relay(FeedRelayOptions? options = null) => new(FakeGrainFactory.Create(), _hub, [new FakeRoute(_owners)],
        Options.Create(options ?? new FeedRelayOptions()), NullLogger<FeedRelay>.Instance);

    private FakeOwner Owner(string key = "k1", params string[] members)
    {
        var owner = _owners.GetOrAdd(key, k => new FakeOwner(k));
        foreach (var member in members.Length == 0 ? ["u1", "u2"] : members)
        {
            owner.AudienceByUser[member] = FeedAudiences.Members;
        }

        return owner;
    }

    private HubWatcher Connection(string id, string userId)
    {
        var aborted = new CancellationTokenSource();
        _connections.Add(aborted);
        return new HubWatcher(id, userId, aborted.Token);
    }

    private Task Until(Func<bool> condition, string what) => Eventually.Until(() => Task.FromResult(condition()), Wait, what);

    private IEnumerable<long> VersionsOf(string connectionId) => _hub.Of(connectionId).Select(c => c.Version);

    [Fact]
    public async Task One_subscription_serves_every_watcher_and_the_last_to_leave_ends_it()
    {
        var owner = Owner();
        var relay = Relay();
        Assert.True((await relay.OpenAsync(owner.Feed, Connection("c1", "u1"), null)).Ok);
        Assert.True((await relay.OpenAsync(owner.Feed, Connection("c2", "u2"), null)).Ok);
        Assert.Equal(["subscribe"], owner.Calls);

        owner.Publish();
        await Until(() => VersionsOf("c1").Contains(1) && VersionsOf("c2").Contains(1), "both watchers to get change 1");

        await relay.CloseAsync(owner.Feed, "c1");
        Assert.Equal(["u2"], relay.WatchersOf(owner.Feed).Select(w => w.UserId));
        Assert.Equal(1, relay.ActiveFeeds);
        await relay.CloseConnectionAsync("c2");
        Assert.Equal(0, relay.ActiveFeeds);
        await Until(() => owner.Calls.Contains("unsubscribe"), "the unsubscribe");
    }

    [Fact]
    public async Task A_subscribe_right_after_the_last_leave_waits_for_the_unsubscribe_so_the_feed_stays_live()
    {
        var owner = Owner();
        var relay = Relay();
        await relay.OpenAsync(owner.Feed, Connection("c1", "u1"), null);
        owner.UnsubscribeGate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        await relay.CloseAsync(owner.Feed, "c1");

        // The unsubscribe is still in flight when the next watcher arrives.
        var opening = relay.OpenAsync(owner.Feed, Connection("c2", "u2"), null);
        await owner.UnsubscribeWaiting.Task.WaitAsync(Wait);
        Assert.False(opening.IsCompleted);
        owner.UnsubscribeGate.SetResult();
        Assert.True((await opening.WaitAsync(Wait)).Ok);

        Assert.Equal(["subscribe", "unsubscribe", "subscribe"], owner.Calls);
        Assert.NotNull(owner.Observer);
        owner.Publish();
        await Until(() => VersionsOf("c2").SequenceEqual([1L]), "the new watcher to get change 1");
    }

    [Fact]
    public async Task A_gap_in_the_stream_is_filled_with_read_since_in_order()
    {
        var owner = Owner();
        var relay = Relay();
        await relay.OpenAsync(owner.Feed, Connection("c1", "u1"), null);
        owner.Publish();
        owner.Publish(notify: false);
        owner.Publish(notify: false);
        owner.Publish();

        await Until(() => VersionsOf("c1").Count() == 4, "four changes");
        Assert.Equal([1L, 2, 3, 4], VersionsOf("c1"));
        Assert.Contains("readSince:1", owner.Calls);
        Assert.All(_hub.Of("c1"), c => Assert.False(c.Reset));
    }

    [Fact]
    public async Task A_gap_the_owner_no_longer_keeps_becomes_one_reset_and_the_stream_goes_on()
    {
        var owner = Owner();
        owner.BufferSize = 2;
        var relay = Relay();
        await relay.OpenAsync(owner.Feed, Connection("c1", "u1"), null);
        for (var i = 0; i < 5; i++)
        {
            owner.Publish(notify: false);
        }

        owner.Publish();
        await Until(() => _hub.Of("c1").Any(c => c.Reset), "a reset");
        Assert.Equal((6L, true), (_hub.Of("c1")[0].Version, _hub.Of("c1")[0].Reset));

        owner.Publish();
        await Until(() => VersionsOf("c1").Contains(7), "change 7 after the reset");
        Assert.Equal([6L, 7], VersionsOf("c1"));
    }

    [Fact]
    public async Task A_renewal_that_finds_the_owner_ahead_replays_what_this_host_missed()
    {
        // The owner was re-activated elsewhere and published while it did not know this host.
        var owner = Owner();
        var relay = Relay();
        await relay.OpenAsync(owner.Feed, Connection("c1", "u1"), null);
        owner.Publish(notify: false);
        owner.Publish(notify: false);

        await relay.RenewAsync();
        await Until(() => VersionsOf("c1").Count() == 2, "the two missed changes");
        Assert.Equal([1L, 2], VersionsOf("c1"));

        // A duplicate of something already relayed is dropped.
        await relay.OnFeedChanged(new FeedChange(owner.Feed, 2, [.. FakeOwner.For(2)]));
        owner.Publish();
        await Until(() => VersionsOf("c1").Contains(3), "change 3");
        Assert.Equal([1L, 2, 3], VersionsOf("c1"));
    }

    [Fact]
    public async Task An_owner_that_went_back_in_time_makes_everyone_re_read_and_the_stream_restarts_there()
    {
        var owner = Owner();
        var relay = Relay();
        await relay.OpenAsync(owner.Feed, Connection("c1", "u1"), null);
        owner.Publish();
        owner.Publish();
        await Until(() => VersionsOf("c1").Count() == 2, "two changes");

        // In-memory state lost with a silo: the new activation starts again from nothing.
        owner.Forget();
        await relay.RenewAsync();
        await Until(() => _hub.Of("c1").Any(c => c.Reset), "a reset");
        Assert.Equal(0, _hub.Of("c1")[^1].Version);

        owner.Publish();
        await Until(() => VersionsOf("c1").Count() == 4, "the new stream's first change");
        Assert.Equal([1L, 2, 0, 1], VersionsOf("c1"));
    }

    [Fact]
    public async Task A_watcher_opening_with_its_last_seq_gets_exactly_what_it_missed_and_then_the_live_stream()
    {
        var owner = Owner();
        for (var i = 0; i < 5; i++)
        {
            owner.Publish();
        }

        var relay = Relay();
        var open = (await relay.OpenAsync(owner.Feed, Connection("c1", "u1"), 2)).Value!;
        Assert.Equal((false, 5L), (open.Reset, open.Seq));
        Assert.Equal([3L, 4, 5], open.Changes.Cast<Contracts.Boards.BoardChange>().Select(c => c.Version));

        owner.Publish();
        await Until(() => VersionsOf("c1").Contains(6), "change 6");
        Assert.Equal([6L], VersionsOf("c1"));
    }

    [Fact]
    public async Task A_change_relayed_while_a_watcher_was_opening_is_added_to_its_reply()
    {
        var owner = Owner();
        var relay = Relay();
        await relay.OpenAsync(owner.Feed, Connection("c1", "u1"), null);

        // The owner answers u2 at seq 0, then change 1 reaches this host before u2 has joined.
        owner.AfterAnswer = () => owner.Publish();
        var open = (await relay.OpenAsync(owner.Feed, Connection("c2", "u2"), 0)).Value!;
        Assert.Equal((false, 1L), (open.Reset, open.Seq));
        Assert.Equal([1L], open.Changes.Cast<Contracts.Boards.BoardChange>().Select(c => c.Version));

        // The same race with a snapshot gives a newer snapshot, never a snapshot plus changes.
        owner.AfterAnswer = () => owner.Publish();
        var fresh = (await relay.OpenAsync(owner.Feed, Connection("c3", "u2"), null)).Value!;
        Assert.Equal((true, 2L, "snapshot@2"), (fresh.Reset, fresh.Seq, fresh.Snapshot));
        Assert.Empty(fresh.Changes);

        owner.Publish();
        await Until(() => VersionsOf("c2").Contains(3) && VersionsOf("c3").Contains(3), "change 3 as an event");
        Assert.Equal([2L, 3], VersionsOf("c2"));
        Assert.Equal([3L], VersionsOf("c3"));
    }

    [Fact]
    public async Task A_removed_watcher_gets_one_reset_and_nothing_more_while_the_others_keep_their_stream()
    {
        var owner = Owner("k1", "u1", "u2", "u3");
        owner.AudienceByUser["d1"] = FeedAudiences.Displays;
        var relay = Relay();
        foreach (var (c, u) in new[] { ("c1", "u1"), ("c2", "u2"), ("c3", "u3"), ("c4", "d1") })
        {
            await relay.OpenAsync(owner.Feed, Connection(c, u), null);
        }

        // u2 leaves the team, u3 becomes a display, d1 a member.
        owner.Publish(roster: Rosters.Of(("u1", FeedAudiences.Members), ("u3", FeedAudiences.Displays), ("d1", FeedAudiences.Members)));
        owner.Publish();
        owner.Publish();
        await Until(() => VersionsOf("c1").Count() == 3 && VersionsOf("c3").Count() == 3 && VersionsOf("c4").Count() == 3, "everyone still on the feed to get three changes");

        Assert.Equal(["d1", "u1", "u3"], relay.WatchersOf(owner.Feed).Select(w => w.UserId).Order(StringComparer.Ordinal));
        var removed = _hub.Of("c2");
        Assert.Equal((1L, true), (Assert.Single(removed).Version, removed[0].Reset));
        Assert.Equal([FeedAudiences.Displays, FeedAudiences.Displays, FeedAudiences.Displays], _hub.Of("c3").Select(c => c.Op));
        Assert.Equal([FeedAudiences.Members, FeedAudiences.Members, FeedAudiences.Members], _hub.Of("c4").Select(c => c.Op));
    }

    [Fact]
    public async Task A_slow_consumer_holds_back_at_most_the_bound_then_everyone_re_reads_once()
    {
        var owner = Owner();
        var relay = Relay(new FeedRelayOptions { MaxPendingSends = 3 });
        await relay.OpenAsync(owner.Feed, Connection("c1", "u1"), null);
        _hub.SendGate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        for (var i = 0; i < 20; i++)
        {
            owner.Publish();
        }

        // Only the bound's worth of sends is ever in flight, however many changes come.
        await Until(() => owner.Seq == 20 && Volatile.Read(ref _hub.SendsStarted) >= 3, "the first sends to start");
        // A second watcher's join goes through the feed's pump after the 20 changes: once it is
        // answered, every change has been handled, and still only the bound's sends started.
        owner.AudienceByUser["u9"] = FeedAudiences.Displays;
        await relay.OpenAsync(owner.Feed, Connection("c9", "u9"), null).WaitAsync(Wait);
        Assert.Equal(3, Volatile.Read(ref _hub.SendsStarted));

        _hub.SendGate.SetResult();
        _hub.SendGate = null;
        await Until(() => _hub.Of("c1").Any(c => c.Reset), "the reset after the sends drained");
        var received = _hub.Of("c1");
        Assert.Equal([1L, 2, 3], received.Take(3).Select(c => c.Version));
        Assert.Equal((20L, true), (received[^1].Version, received[^1].Reset));
        Assert.Single(received, c => c.Reset);
    }

    [Fact]
    public async Task A_full_queue_drops_changes_and_catches_up_from_the_owner_instead_of_growing()
    {
        var owner = Owner();
        var relay = Relay(new FeedRelayOptions { QueueLimit = 2 });
        await relay.OpenAsync(owner.Feed, Connection("c1", "u1"), null);

        // A slow regroup holds this feed's pump: u2 joining waits on SignalR's group call.
        _hub.GroupGate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        var joining = relay.OpenAsync(owner.Feed, Connection("c2", "u2"), null);
        await _hub.GroupWaiting.Task.WaitAsync(Wait);
        for (var i = 0; i < 10; i++)
        {
            owner.Publish();
        }

        _hub.GroupGate.SetResult();
        _hub.GroupGate = null;
        await joining.WaitAsync(Wait);
        await Until(() => VersionsOf("c1").Contains(10), "the stream to catch up to 10");
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), VersionsOf("c1"));
        Assert.Contains(owner.Calls, c => c.StartsWith("readSince:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task One_feed_stuck_in_a_slow_regroup_does_not_delay_another()
    {
        var slow = Owner("slow");
        var fast = Owner("fast");
        var relay = Relay();
        await relay.OpenAsync(slow.Feed, Connection("c1", "u1"), null);
        await relay.OpenAsync(fast.Feed, Connection("c2", "u1"), null);

        _hub.GroupGate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        var stuck = relay.OpenAsync(slow.Feed, Connection("c3", "u2"), null);
        await _hub.GroupWaiting.Task.WaitAsync(Wait);
        slow.Publish();
        fast.Publish();
        await Until(() => VersionsOf("c2").Contains(1), "the other feed's change");
        Assert.Empty(VersionsOf("c1"));

        _hub.GroupGate.SetResult();
        _hub.GroupGate = null;
        await stuck.WaitAsync(Wait);
        await Until(() => VersionsOf("c1").Contains(1), "the slow feed's change");
    }

    [Fact]
    public async Task A_connection_that_closes_while_opening_leaves_nothing_behind()
    {
        var owner = Owner();
        var relay = Relay();
        owner.OpenGate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        var connection = Connection("c1", "u1");
        var opening = relay.OpenAsync(owner.Feed, connection, null);
        await owner.OpenWaiting.Task.WaitAsync(Wait);
        await _connections[^1].CancelAsync();
        owner.OpenGate.SetResult();
        await opening.WaitAsync(Wait);

        await Until(() => relay.ActiveFeeds == 0, "the feed to be released");
        Assert.Empty(relay.WatchersOf(owner.Feed));
        // A new watcher's stream is the barrier: once it has the change, c1 would have had it too.
        owner.OpenGate = null;
        await relay.OpenAsync(owner.Feed, Connection("c2", "u2"), null);
        owner.Publish();
        await Until(() => VersionsOf("c2").Contains(1), "the new watcher to get the change");
        Assert.Empty(_hub.Of("c1"));
    }

    [Fact]
    public async Task Someone_the_owner_refuses_is_never_registered()
    {
        var owner = Owner();
        var relay = Relay();
        var refused = await relay.OpenAsync(owner.Feed, Connection("c1", "stranger"), null);
        Assert.Equal("forbidden", refused.Error?.Code);
        Assert.Empty(relay.WatchersOf(owner.Feed));
        Assert.Equal(0, relay.ActiveFeeds);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.CancelAsync();
            connection.Dispose();
        }
    }
}
