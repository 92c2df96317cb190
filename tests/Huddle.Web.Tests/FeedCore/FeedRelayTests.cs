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
    public async Task A_hint_reaches_the_watchers_of_its_audience_at_once_and_never_moves_the_stream()
    {
        var owner = Owner();
        owner.AudienceByUser["u3"] = FeedAudiences.Displays;
        var relay = Relay();
        await relay.OpenAsync(owner.Feed, Connection("c1", "u1"), null);
        await relay.OpenAsync(owner.Feed, Connection("c2", "u3"), null);
        var local = new ConcurrentQueue<object>();
        var (_, watch) = await relay.OpenLocalAsync(owner.Feed, "u2", null, null, local.Enqueue);

        await relay.OnFeedHint(new FeedHint(owner.Feed, FeedAudiences.Members, FakeOwner.Payload(99, FeedAudiences.Members)));
        await Until(() => VersionsOf("c1").Contains(99) && !local.IsEmpty, "the hint at the members' connection and component");

        // The stream goes on at seq 1 (no gap, no catch-up), and the displays' connection got nothing but it.
        owner.Publish();
        await Until(() => VersionsOf("c1").Contains(1) && VersionsOf("c2").Contains(1), "change 1 everywhere");
        Assert.Equal([99L, 1], VersionsOf("c1"));
        Assert.Equal([1L], VersionsOf("c2"));
        Assert.DoesNotContain(_hub.Of("c1"), c => c.Reset);
        await Until(() => local.Count == 2, "change 1 at the component");
        Assert.Equal([99L, 1], local.Cast<Contracts.Boards.BoardChange>().Select(c => c.Version));
        Assert.DoesNotContain(owner.Calls.ToList(), c => c.StartsWith("readSince", StringComparison.Ordinal));
        await watch!.DisposeAsync();
    }

    [Fact]
    public async Task A_hint_is_answered_once_its_send_is_done_and_the_feed_goes_on_meanwhile()
    {
        var owner = Owner();
        var relay = Relay();
        await relay.OpenAsync(owner.Feed, Connection("c1", "u1"), null);
        _hub.SendGate = new(TaskCreationOptions.RunContinuationsAsynchronously);

        // The connection has the hint queued, its send is not done (a slow client): no answer yet.
        var answered = relay.OnFeedHint(new FeedHint(owner.Feed, FeedAudiences.Members, FakeOwner.Payload(99, FeedAudiences.Members)));
        await Until(() => VersionsOf("c1").Contains(99), "the hint at the connection");
        Assert.False(answered.IsCompleted);

        // The pump does not wait for that answer: the next change reaches the connection meanwhile.
        owner.Publish();
        await Until(() => VersionsOf("c1").Contains(1), "change 1 while the hint's send is still under way");
        Assert.False(answered.IsCompleted);

        _hub.SendGate.SetResult();
        _hub.SendGate = null;
        await answered.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_hint_for_a_feed_this_host_does_not_relay_is_ignored()
    {
        var owner = Owner();
        var relay = Relay();
        // Answered at once: there is nothing to send.
        Assert.True(relay.OnFeedHint(new FeedHint(owner.Feed, FeedAudiences.Members, FakeOwner.Payload(99, FeedAudiences.Members))).IsCompletedSuccessfully);
        Assert.Equal(0, relay.ActiveFeeds);

        // Opened afterwards, the connection's first event is the next change, not the earlier hint.
        await relay.OpenAsync(owner.Feed, Connection("c1", "u1"), null);
        owner.Publish();
        await Until(() => VersionsOf("c1").Contains(1), "change 1");
        Assert.Equal([1L], VersionsOf("c1"));
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

    [Fact]
    public async Task A_join_waiting_behind_a_full_queue_still_joins_and_receives_the_next_change()
    {
        var owner = Owner("k1", "u1", "u2", "u3");
        var relay = Relay(new FeedRelayOptions { QueueLimit = 2 });
        await relay.OpenAsync(owner.Feed, Connection("c1", "u1"), null);

        // u2's join holds the pump in SignalR's group call while changes fill the queue.
        _hub.GroupGate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        var stuck = relay.OpenAsync(owner.Feed, Connection("c2", "u2"), null);
        await _hub.GroupWaiting.Task.WaitAsync(Wait);
        for (var i = 0; i < 5; i++)
        {
            owner.Publish();
        }

        Assert.Equal(2, relay.QueuedOf(owner.Feed).Changes);
        var joining = relay.OpenAsync(owner.Feed, Connection("c3", "u3"), null);
        await Until(() => joining.IsCompleted || relay.QueuedOf(owner.Feed).Control > 0, "u3's join to be queued");
        _hub.GroupGate.SetResult();
        _hub.GroupGate = null;

        Assert.True((await joining.WaitAsync(Wait)).Ok);
        await stuck.WaitAsync(Wait);
        Assert.Contains(relay.WatchersOf(owner.Feed), w => w.ConnectionId == "c3");
        owner.Publish();
        await Until(() => VersionsOf("c3").Contains(6), "the joiner to get change 6");
        Assert.DoesNotContain(_hub.Of("c3"), c => c.Reset);
    }

    [Fact]
    public async Task A_leave_during_a_full_queue_removes_the_callback_for_good()
    {
        var owner = Owner();
        var relay = Relay(new FeedRelayOptions { QueueLimit = 2 });
        var handed = new ConcurrentQueue<Contracts.Boards.BoardChange>();
        var (_, watch) = await relay.OpenLocalAsync(owner.Feed, "u1", null, null, p => handed.Enqueue((Contracts.Boards.BoardChange)p));
        await relay.OpenAsync(owner.Feed, Connection("c1", "u1"), null);

        _hub.GroupGate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        var stuck = relay.OpenAsync(owner.Feed, Connection("c2", "u2"), null);
        await _hub.GroupWaiting.Task.WaitAsync(Wait);
        for (var i = 0; i < 5; i++)
        {
            owner.Publish();
        }

        var leaving = watch!.DisposeAsync().AsTask();
        await Until(() => leaving.IsCompleted || relay.QueuedOf(owner.Feed).Control > 0, "the leave to be queued");
        _hub.GroupGate.SetResult();
        _hub.GroupGate = null;
        await leaving.WaitAsync(Wait);
        await stuck.WaitAsync(Wait);

        // c1's stream is the barrier: once it has change 6, the component would have had it too.
        owner.Publish();
        await Until(() => VersionsOf("c1").Contains(6), "change 6 on the connection");
        // What was queued before the leave may reach it (in order); nothing after.
        Assert.Equal(handed.Select(c => c.Version), Enumerable.Range(1, handed.Count).Select(i => (long)i));
        Assert.DoesNotContain(handed, c => c.Version == 6);
        Assert.DoesNotContain(relay.WatchersOf(owner.Feed), w => w.ConnectionId is null);
    }

    [Fact]
    public async Task A_renewal_answer_that_arrives_after_a_newer_change_is_late_not_a_reset()
    {
        var owner = Owner();
        var relay = Relay();
        await relay.OpenAsync(owner.Feed, Connection("c1", "u1"), null);
        owner.Publish();
        await Until(() => VersionsOf("c1").Contains(1), "change 1");

        // The owner answers the renewal at seq 1, then change 2 overtakes that answer.
        owner.SubscribeGate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        var renewing = relay.RenewAsync();
        await owner.SubscribeWaiting.Task.WaitAsync(Wait);
        owner.Publish();
        await Until(() => VersionsOf("c1").Contains(2), "change 2");
        owner.SubscribeGate.SetResult();
        await renewing.WaitAsync(Wait);

        owner.Publish();
        await Until(() => VersionsOf("c1").Contains(3), "change 3");
        Assert.Equal([1L, 2, 3], VersionsOf("c1"));
        Assert.DoesNotContain(_hub.Of("c1"), c => c.Reset);
    }

    [Fact]
    public async Task A_new_owner_epoch_at_an_equal_or_lower_seq_resets_every_watcher_exactly_once()
    {
        var owner = Owner();
        var relay = Relay();
        await relay.OpenAsync(owner.Feed, Connection("c1", "u1"), null);
        owner.Publish();
        owner.Publish();
        await Until(() => VersionsOf("c1").Count() == 2, "two changes");
        var first = owner.Epoch;

        // A re-activation that lost its ring numbers on from the same seq: seq 3 is not the old 3.
        owner.NewEpoch(2);
        owner.Publish();
        await Until(() => _hub.Of("c1").Any(c => c.Reset), "a reset");
        await relay.RenewAsync();
        owner.Publish();
        await Until(() => VersionsOf("c1").Contains(4), "change 4");
        Assert.Equal([(1L, false), (2, false), (3, true), (4, false)], _hub.Of("c1").Select(c => (c.Version, c.Reset)));

        // Lower: the next epoch starts back at 1; a renewal finds it, and a late change of an epoch
        // already left changes nothing.
        owner.NewEpoch(1);
        await relay.RenewAsync();
        await relay.OnFeedChanged(new FeedChange(owner.Feed, 5, [.. FakeOwner.For(5)], null, first));
        await relay.RenewAsync();
        owner.Publish();
        await Until(() => VersionsOf("c1").Count() == 6, "the new epoch's first change");
        Assert.Equal([(1L, true), (2, false)], _hub.Of("c1").Skip(4).Select(c => (c.Version, c.Reset)));
    }

    /// <summary>An owner keeping pages, watched by c1 (u1) through a relay, that then published 10,000 changes it told nobody of.</summary>
    private async Task<(FakeOwner Owner, FeedRelay Relay)> AwayForTenThousandAsync()
    {
        var owner = Owner();
        owner.StoresPages = true;
        var relay = Relay();
        await relay.OpenAsync(owner.Feed, Connection("c1", "u1"), null);
        for (var i = 0; i < 10_000; i++)
        {
            owner.Publish(notify: false);
        }

        return (owner, relay);
    }

    [Fact]
    public async Task A_host_away_for_ten_thousand_changes_pages_forward_from_stored_pages_without_a_reset()
    {
        var (owner, relay) = await AwayForTenThousandAsync();

        // One notification shows the gap; the relay reads it all, page after page.
        owner.Publish();
        await Eventually.Until(() => Task.FromResult(VersionsOf("c1").Count() >= 10_001), TimeSpan.FromSeconds(60), "every change");
        Assert.Equal(Enumerable.Range(1, 10_001).Select(i => (long)i), VersionsOf("c1"));
        Assert.DoesNotContain(_hub.Of("c1"), c => c.Reset);
        Assert.True(owner.Calls.Count(c => c.StartsWith("readSince:", StringComparison.Ordinal)) >= 10_000 / FeedPage.DefaultLimit);
    }

    [Fact]
    public async Task A_join_during_a_long_catch_up_is_answered_between_its_pages_and_then_gets_the_rest()
    {
        var (owner, relay) = await AwayForTenThousandAsync();

        // The catch-up's second and third page reads are held in turn.
        var (second, third) = (new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        var (reading2, reading3) = (new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        var reads = 0;
        owner.ReadGate = async _ =>
        {
            switch (Interlocked.Increment(ref reads))
            {
                case 2:
                    reading2.SetResult();
                    await second.Task;
                    break;
                case 3:
                    reading3.SetResult();
                    await third.Task;
                    break;
            }
        };
        owner.Publish();
        await reading2.Task.WaitAsync(Wait);
        var joining = relay.OpenAsync(owner.Feed, Connection("c2", "u2"), null);
        await Until(() => joining.IsCompleted || relay.QueuedOf(owner.Feed).Control > 0, "u2's join to be queued");
        second.SetResult();

        // Answered while the third page is still being read: the join waited for one page, not forty.
        await reading3.Task.WaitAsync(Wait);
        Assert.True((await joining.WaitAsync(Wait)).Ok);
        Assert.Contains(relay.WatchersOf(owner.Feed), w => w.ConnectionId == "c2");
        Assert.True(VersionsOf("c1").Count() < 10_001, "the catch-up is not over yet");

        third.SetResult();
        await Eventually.Until(() => Task.FromResult(VersionsOf("c1").Count() >= 10_001 && VersionsOf("c2").LastOrDefault() == 10_001), TimeSpan.FromSeconds(60), "every change at both");
        Assert.Equal(Enumerable.Range(1, 10_001).Select(i => (long)i), VersionsOf("c1"));
        var second2 = VersionsOf("c2").ToList();
        Assert.Equal(Enumerable.Range((int)second2[0], second2.Count).Select(i => (long)i), second2);
        Assert.DoesNotContain(_hub.Of("c1").Concat(_hub.Of("c2")), c => c.Reset);
    }

    [Fact]
    public async Task A_watcher_away_for_ten_thousand_changes_reads_forward_page_by_page_without_a_reset()
    {
        var owner = Owner();
        owner.StoresPages = true;
        var relay = Relay();
        var start = (await relay.ReadAsync(owner.Feed, "u1", null)).Value!;
        for (var i = 0; i < 10_000; i++)
        {
            owner.Publish(notify: false);
        }

        var read = new List<long>();
        var (epoch, seq, more, pages) = (start.Epoch, start.Seq, true, 0);
        while (more)
        {
            var page = (await relay.ReadAsync(owner.Feed, "u1", seq, null, epoch)).Value!;
            Assert.False(page.Reset);
            read.AddRange(page.Changes.Cast<Contracts.Boards.BoardChange>().Select(c => c.Version));
            (epoch, seq, more) = (page.Epoch, page.Seq, page.More);
            pages++;
        }

        Assert.Equal(Enumerable.Range(1, 10_000).Select(i => (long)i), read);
        Assert.Equal(10_000 / FeedPage.DefaultLimit + 1, pages);

        // The watcher's epoch is checked: a cursor from another epoch gets the snapshot.
        owner.NewEpoch(10_000);
        var stale = (await relay.ReadAsync(owner.Feed, "u1", seq, null, epoch)).Value!;
        Assert.Equal((true, owner.Epoch), (stale.Reset, stale.Epoch));
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
