using System.Collections.Concurrent;
using Huddle.Contracts.Boards;
using Huddle.Contracts.Live;
using Huddle.Testing;
using Huddle.Web.Live;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Huddle.Web.Tests.FeedCore;

/// <summary>The one client-side live copy, against a fake owner through the real relay: no cluster, a renderer the test holds.</summary>
public sealed class LiveFeedTests : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<string, FakeOwner> _owners = new();
    private readonly List<IAsyncDisposable> _opened = [];

    [Fact]
    public async Task A_copy_that_fell_10000_changes_behind_pages_forward_in_order_none_twice_without_a_reset()
    {
        var owner = Owner(bufferSize: 20_000);
        var relay = Relay();
        var renderer = new HeldRenderer();
        var copy = new Recorder();
        var feed = await OpenAsync(relay, owner, copy, renderer);
        Assert.Equal(["snapshot@0"], copy.Snapshots);

        // The circuit is stuck (reconnecting) while 10,000 changes happen: its backlog is bounded, the rest is shed.
        renderer.Hold();
        for (var i = 0; i < 10_000; i++)
        {
            owner.Publish();
        }

        await Eventually.Until(() => Task.FromResult(relay.ActiveFeeds == 1 && owner.Seq == 10_000), Wait, "the changes to be published");
        renderer.Release();

        // It catches up page by page (the owner answers at most 256 a read) to the owner's state.
        await Eventually.Until(() => Task.FromResult(renderer.Run(() => feed.Seq) == 10_000), Wait, "the copy to reach seq 10000");
        var merged = renderer.Run(() => copy.Merged.ToList());
        Assert.Equal(Enumerable.Range(1, 10_000).Select(i => (long)i), merged);
        Assert.Equal(["snapshot@0"], copy.Snapshots);
        Assert.Contains(owner.Calls, c => c.StartsWith("readSince:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_owner_in_a_new_epoch_makes_the_copy_take_its_snapshot_never_a_change_of_the_new_epoch()
    {
        var owner = Owner(bufferSize: 1_000);
        var relay = Relay();
        var renderer = new HeldRenderer();
        var copy = new Recorder();
        var feed = await OpenAsync(relay, owner, copy, renderer);
        var before = renderer.Run(() => feed.Epoch);

        // A stuck circuit sheds part of 300 changes; meanwhile the owner loses its ring (a new activation:
        // a new epoch numbering from 0 again) and reaches seq 400 of the new epoch.
        renderer.Hold();
        for (var i = 0; i < 300; i++)
        {
            owner.Publish();
        }

        await Eventually.Until(() => Task.FromResult(renderer.Posted > 0), Wait, "a drain to be posted");
        owner.Forget();
        for (var i = 0; i < 400; i++)
        {
            owner.Publish(notify: false);
        }

        // The copy catches up from its seq 256 naming its epoch, so the new epoch's 257-400 are never
        // merged onto the old epoch's 1-256: it takes the snapshot.
        renderer.Release();
        await Eventually.Until(() => Task.FromResult(renderer.Run(() => copy.Snapshots.Count) == 2), Wait, "the snapshot to be read again");
        Assert.Equal(["snapshot@0", "snapshot@400"], renderer.Run(() => copy.Snapshots.ToList()));
        Assert.Equal(Enumerable.Range(1, RendererFeed<BoardChange>.MaxQueued).Select(i => (long)i), renderer.Run(() => copy.Merged.ToList()));
        Assert.Equal(400, renderer.Run(() => feed.Seq));
        Assert.NotEqual(before, renderer.Run(() => feed.Epoch));
        Assert.Equal(owner.Epoch, renderer.Run(() => feed.Epoch));
    }

    private FakeOwner Owner(int bufferSize = 100)
    {
        var owner = _owners.GetOrAdd("k1", k => new FakeOwner(k));
        owner.BufferSize = bufferSize;
        owner.AudienceByUser["u1"] = FeedAudiences.Members;
        return owner;
    }

    private FeedRelay Relay() => new(FakeGrainFactory.Create(), new FakeHub(), [new FakeRoute(_owners)],
        Options.Create(new FeedRelayOptions()), NullLogger<FeedRelay>.Instance);

    private async Task<LiveFeed<string, BoardChange>> OpenAsync(FeedRelay relay, FakeOwner owner, Recorder copy, HeldRenderer renderer)
    {
        var feed = await renderer.RunAsync(() => LiveFeed<string, BoardChange>.OpenAsync(new FeedSource<string, BoardChange>(relay, owner.Feed, "u1"),
            copy, renderer.Dispatch, () => Task.CompletedTask));
        _opened.Add(feed);
        return feed;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var opened in _opened)
        {
            await opened.DisposeAsync();
        }
    }

    /// <summary>A feature's merge that records what it was given.</summary>
    private sealed class Recorder : ILiveCopy<string, BoardChange>
    {
        public List<string> Snapshots { get; } = [];

        public List<long> Merged { get; } = [];

        public long SeqOf(BoardChange change) => change.Version;

        public bool IsReset(BoardChange change) => change.Reset;

        public void Take(string snapshot) => Snapshots.Add(snapshot);

        public bool Merge(BoardChange change)
        {
            Merged.Add(change.Version);
            return true;
        }

        public void Forget() => Snapshots.Add("forgotten");
    }

    /// <summary>A renderer: runs one piece of work at a time, and can be held (a stuck circuit).</summary>
    private sealed class HeldRenderer
    {
        private readonly SemaphoreSlim _one = new(1, 1);
        private TaskCompletionSource _open = Open();
        private int _posted;

        public void Hold() => _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _open.TrySetResult();

        /// <summary>How many pieces of work were posted.</summary>
        public int Posted => Volatile.Read(ref _posted);

        public Task Dispatch(Func<Task> work)
        {
            Interlocked.Increment(ref _posted);
            return RunAsync(work);
        }

        public async Task<T> RunAsync<T>(Func<Task<T>> work)
        {
            await _open.Task;
            await _one.WaitAsync();
            try
            {
                return await work();
            }
            finally
            {
                _one.Release();
            }
        }

        public Task RunAsync(Func<Task> work) => RunAsync(async () =>
        {
            await work();
            return true;
        });

        public T Run<T>(Func<T> read)
        {
            _one.Wait();
            try
            {
                return read();
            }
            finally
            {
                _one.Release();
            }
        }

        private static TaskCompletionSource Open()
        {
            var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            open.SetResult();
            return open;
        }
    }
}
