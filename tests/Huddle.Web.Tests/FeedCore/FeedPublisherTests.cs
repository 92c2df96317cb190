using Huddle.Contracts.Live;
using Huddle.Grains.Live;
using Microsoft.Extensions.Logging.Abstractions;

namespace Huddle.Web.Tests.FeedCore;

/// <summary>The owner's side of a feed in plain C#: epochs, paged catch-up, the stored-page fallback and the async snapshot.</summary>
public sealed class FeedPublisherTests
{
    private static readonly FeedId Feed = new("test", "k1");

    private static FeedDelivery[] For(long seq) => [new(FeedAudiences.Members, $"m{seq}"), new(FeedAudiences.Displays, $"d{seq}")];

    /// <summary>An owner that stores each change in pages, as a chat thread stores its messages.</summary>
    private sealed class StoredPages
    {
        public List<FeedChange> Rows { get; } = [];

        public int Reads { get; private set; }

        public async Task<IReadOnlyList<FeedChange>> ReadAfterAsync(long seq, int limit)
        {
            Reads++;
            await Task.Yield();
            return [.. Rows.Where(c => c.Seq > seq).Take(limit)];
        }
    }

    private static FeedPublisher Publisher(long seq = 0, long? epoch = null, StoredPages? pages = null) =>
        new(Feed, seq, new FeedOptions(), NullLogger.Instance, epoch, pages is null ? null : pages.ReadAfterAsync);

    private static void PublishStored(FeedPublisher publisher, StoredPages pages, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var seq = publisher.Seq + 1;
            // The owner stores first, then publishes.
            pages.Rows.Add(new FeedChange(Feed, seq, [.. For(seq)]));
            publisher.Publish(seq, For(seq));
        }
    }

    [Fact]
    public async Task A_watcher_away_for_ten_thousand_changes_pages_forward_through_stored_pages_in_order_without_a_reset()
    {
        var pages = new StoredPages();
        var publisher = Publisher(pages: pages);
        var epoch = publisher.Epoch;
        PublishStored(publisher, pages, 10_000);

        var read = new List<string>();
        var (seq, more) = (0L, true);
        while (more)
        {
            var page = await publisher.OpenAsync(FeedAudiences.Members, seq, epoch, 0, () => "snapshot");
            Assert.False(page.Reset);
            Assert.Equal(epoch, page.Epoch);
            read.AddRange(page.Changes.Cast<string>());
            (seq, more) = (page.Seq, page.More);
        }

        Assert.Equal(Enumerable.Range(1, 10_000).Select(i => $"m{i}"), read);
        Assert.Equal(10_000, seq);
        Assert.True(pages.Reads > 0);
    }

    [Fact]
    public async Task A_read_further_back_than_the_ring_without_stored_pages_is_a_reset_with_the_snapshot()
    {
        var publisher = Publisher();
        for (var seq = 1; seq <= 300; seq++)
        {
            publisher.Publish(seq, For(seq));
        }

        var open = await publisher.OpenAsync(FeedAudiences.Members, 10, publisher.Epoch, 0, () => Task.FromResult<object>("snapshot@300"));
        Assert.Equal((true, 300L, (object?)"snapshot@300"), (open.Reset, open.Seq, open.Snapshot));

        // Within the ring: one page, then More.
        var page = await publisher.ReadSinceAsync(100, publisher.Epoch, 50);
        Assert.Equal((false, 150L, true), (page.Reset, page.Seq, page.More));
        Assert.Equal(Enumerable.Range(101, 50).Select(i => (long)i), page.Changes.Select(c => c.Seq));
    }

    [Fact]
    public async Task A_new_activation_starts_a_new_epoch_unless_its_changes_are_stored()
    {
        var pages = new StoredPages();
        var first = Publisher(pages: pages, epoch: 42);
        PublishStored(first, pages, 5);

        // Only a ring: the new activation is a new epoch, and the old epoch's cursor gets a reset.
        var ringOnly = Publisher(seq: 5);
        Assert.NotEqual(42, ringOnly.Epoch);
        Assert.True((await ringOnly.ReadSinceAsync(5, 42)).Reset);

        // Stored changes and the stored epoch: the old cursor is still good, and pages answer it.
        var stored = Publisher(seq: 5, epoch: 42, pages: pages);
        var missed = await stored.ReadSinceAsync(2, 42);
        Assert.Equal((false, 42L), (missed.Reset, missed.Epoch));
        Assert.Equal([3L, 4, 5], missed.Changes.Select(c => c.Seq));
        Assert.All(missed.Changes, c => Assert.Equal(42, c.Epoch));
    }

    [Fact]
    public async Task A_seq_published_again_starts_a_new_epoch_so_it_is_never_reused_with_other_content()
    {
        var publisher = Publisher();
        publisher.Publish(1, For(1));
        var before = publisher.Epoch;
        var again = publisher.Publish(1, For(1));
        Assert.NotEqual(before, again.Epoch);
        Assert.Equal(publisher.Epoch, again.Epoch);
        Assert.InRange(again.Epoch, 1, FeedPublisher.MaxEpoch - 1);
        Assert.Empty((await publisher.ReadSinceAsync(1, publisher.Epoch)).Changes);
    }
}
