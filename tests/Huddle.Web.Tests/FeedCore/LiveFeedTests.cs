using Huddle.Contracts.Boards;
using Huddle.Contracts.Common;
using Huddle.Contracts.Live;
using Huddle.Testing;
using Huddle.Web.Live;

namespace Huddle.Web.Tests.FeedCore;

/// <summary>The one client-side live copy against a fake owner: no cluster, no relay, a renderer the test holds.</summary>
public sealed class LiveFeedTests : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly List<IAsyncDisposable> _opened = [];

    [Fact]
    public async Task A_copy_that_fell_10000_changes_behind_pages_forward_in_order_none_twice_without_a_reset()
    {
        var source = new OwnerSource(bufferSize: 20_000);
        var renderer = new HeldRenderer();
        var copy = new Recorder();
        var feed = await OpenAsync(source, copy, renderer);
        Assert.Equal(["snapshot@0"], copy.Snapshots);

        // The circuit is stuck (reconnecting) while 10,000 changes happen: its backlog is bounded, the rest is shed.
        renderer.Hold();
        source.Publish(10_000);
        renderer.Release();

        // It catches up page by page (the owner answers at most 256 a read) to the owner's state.
        await Eventually.Until(() => Task.FromResult(renderer.Run(() => feed.Seq) == 10_000), Wait, "the copy to reach seq 10000");
        Assert.Equal(Enumerable.Range(1, 10_000).Select(i => (long)i), renderer.Run(() => copy.Merged.ToList()));
        Assert.Equal(["snapshot@0"], renderer.Run(() => copy.Snapshots.ToList()));
        Assert.True(source.Owner.Calls.Count(c => c.StartsWith("readSince:", StringComparison.Ordinal)) >= (10_000 - RendererFeed<BoardChange>.MaxQueued) / FeedPage.DefaultLimit);
    }

    [Fact]
    public async Task An_owner_in_a_new_epoch_makes_the_copy_take_its_snapshot_never_a_change_of_the_new_epoch()
    {
        var source = new OwnerSource(bufferSize: 1_000);
        var renderer = new HeldRenderer();
        var copy = new Recorder();
        var feed = await OpenAsync(source, copy, renderer);
        var before = renderer.Run(() => feed.Epoch);

        // A stuck circuit sheds part of 300 changes; meanwhile the owner loses its ring (a new activation:
        // a new epoch numbering from 0 again) and reaches seq 400 of the new epoch.
        renderer.Hold();
        source.Publish(300);
        source.Owner.Forget();
        for (var i = 0; i < 400; i++)
        {
            source.Owner.Publish(notify: false);
        }

        // The copy catches up from its seq 256 naming its epoch, so the new epoch's 257-400 are never
        // merged onto the old epoch's 1-256: it takes the snapshot.
        renderer.Release();
        await Eventually.Until(() => Task.FromResult(renderer.Run(() => copy.Snapshots.Count) == 2), Wait, "the snapshot to be read again");
        Assert.Equal(["snapshot@0", "snapshot@400"], renderer.Run(() => copy.Snapshots.ToList()));
        Assert.Equal(Enumerable.Range(1, RendererFeed<BoardChange>.MaxQueued).Select(i => (long)i), renderer.Run(() => copy.Merged.ToList()));
        Assert.Equal(400, renderer.Run(() => feed.Seq));
        Assert.NotEqual(before, renderer.Run(() => feed.Epoch));
        Assert.Equal(source.Owner.Epoch, renderer.Run(() => feed.Epoch));
    }

    private async Task<LiveFeed<string, BoardChange>> OpenAsync(OwnerSource source, Recorder copy, HeldRenderer renderer)
    {
        var feed = await renderer.RunAsync(() => LiveFeed<string, BoardChange>.OpenAsync(source, copy, renderer.Dispatch, () => Task.CompletedTask));
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

    /// <summary>
    /// The feed as a component reads it, straight from a fake owner: each published change handed to the
    /// copy (as the relay's pump would), catch-up reads answered by the owner's paged <c>OpenAsync</c>.
    /// </summary>
    private sealed class OwnerSource(int bufferSize) : IFeedSource<string, BoardChange>
    {
        private Action<BoardChange>? _onChange;

        public FakeOwner Owner { get; } = new("k1") { BufferSize = bufferSize, AudienceByUser = { ["u1"] = FeedAudiences.Members } };

        public void Publish(int count)
        {
            for (var i = 0; i < count; i++)
            {
                _onChange?.Invoke((BoardChange)Owner.Publish(notify: false).For(FeedAudiences.Members)!);
            }
        }

        public async Task<(Result<FeedReply<string, BoardChange>> Open, IAsyncDisposable? Watch)> WatchAsync(Action<BoardChange> onChange)
        {
            _onChange = onChange;
            return (FeedReply<string, BoardChange>.From(await Owner.OpenAsync(FakeOwner.Kind, "u1", null)), null);
        }

        public async Task<Result<FeedReply<string, BoardChange>>> ReadAsync(long? since, long epoch = FeedPosition.AnyEpoch) =>
            FeedReply<string, BoardChange>.From(await Owner.OpenAsync(FakeOwner.Kind, "u1", since, null, epoch));
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

        public void Hold() => _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _open.TrySetResult();

        public Task Dispatch(Func<Task> work) => RunAsync(work);

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
