using System.Collections.Immutable;
using Huddle.Contracts.Chat;
using Huddle.Contracts.Common;
using Huddle.Contracts.Live;
using Huddle.Testing;
using Huddle.Web.Live;

namespace Huddle.Web.Tests.Chat;

/// <summary>The generic live copy meets a thread's retention marker: it moves on from the marker, it does not re-read the snapshot.</summary>
public sealed class ThreadCutLiveCopyTests
{
    /// <summary>A thread's owner as a copy reads it: the open's snapshot at seq 10, a catch-up from before the cut at 200.</summary>
    private sealed class CutSource : IFeedSource<ThreadSnapshot, ThreadChange>
    {
        public List<long?> Reads { get; } = [];

        public Action<ThreadChange>? Push { get; private set; }

        public Task<(Result<FeedReply<ThreadSnapshot, ThreadChange>> Open, IAsyncDisposable? Watch)> WatchAsync(Action<ThreadChange> onChange)
        {
            Push = onChange;
            return Task.FromResult<(Result<FeedReply<ThreadSnapshot, ThreadChange>>, IAsyncDisposable?)>((Snapshot(), null));
        }

        public Task<Result<FeedReply<ThreadSnapshot, ThreadChange>>> ReadAsync(long? since, long epoch = FeedPosition.AnyEpoch)
        {
            Reads.Add(since);
            return Task.FromResult(since is null
                ? Snapshot()
                : new FeedReply<ThreadSnapshot, ThreadChange>(201, false, null,
                    [new ThreadChange("tm.t", 200, null, RemovedThrough: 200, Retention: TimeSpan.FromDays(30)), new ThreadChange("tm.t", 201, Message(201))], Epoch: 7));
        }

        private static Result<FeedReply<ThreadSnapshot, ThreadChange>> Snapshot() =>
            new FeedReply<ThreadSnapshot, ThreadChange>(10, true, new ThreadSnapshot(new ThreadRef("tm.t", ThreadKind.Team, "t"), 10, [Message(10)], true), [], Epoch: 7);

        private static ThreadMessage Message(long seq) => new("tm.t", seq, "u-a", $"c-{seq}", $"text {seq}", MessagePriority.Normal, DateTimeOffset.UnixEpoch);
    }

    /// <summary>What the thread's copy does with a marker (<see cref="ThreadChange.RemovedThrough"/>): the cut moves the cursor.</summary>
    private sealed class Copy : ILiveCopy<ThreadSnapshot, ThreadChange>
    {
        public List<string> Seen { get; } = [];

        public long SeqOf(ThreadChange change) => change.Seq;

        public bool IsReset(ThreadChange change) => change.Reset;

        public bool IsCut(ThreadChange change) => change.RemovedThrough > 0;

        public void Take(ThreadSnapshot snapshot) => Seen.Add($"snapshot@{snapshot.Seq}");

        public bool Merge(ThreadChange change)
        {
            Seen.Add(change.RemovedThrough > 0 ? $"cut@{change.Seq}" : $"message@{change.Seq}");
            return true;
        }

        public void Forget() => Seen.Add("forget");
    }

    [Fact]
    public async Task A_catch_up_that_starts_with_the_retention_marker_moves_the_cursor_to_it_and_never_re_reads_the_snapshot()
    {
        var source = new CutSource();
        var copy = new Copy();
        await using var feed = await LiveFeed<ThreadSnapshot, ThreadChange>.OpenAsync(source, copy, work => work(), () => Task.CompletedTask);

        // A push far ahead of the copy (it was away): a gap, so it catches up from its cursor, 10.
        source.Push!(new ThreadChange("tm.t", 202, null));
        await Eventually.Until(() => Task.FromResult(feed.Seq == 201), TimeSpan.FromSeconds(30), "the copy to catch up past the cut");

        Assert.Equal(["snapshot@10", "cut@200", "message@201"], copy.Seen);
        Assert.Equal([10L], source.Reads.Where(r => r is not null).Cast<long>());
        Assert.DoesNotContain(null, source.Reads);
    }
}
