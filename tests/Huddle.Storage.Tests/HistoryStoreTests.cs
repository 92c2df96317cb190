using Huddle.Silo.Storage;
using Huddle.Storage.Tests.Infrastructure;
using Huddle.Grains.Common;

namespace Huddle.Storage.Tests;

/// <summary>Paged history beside a grain's state, the same for the memory and the Azure Table store.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class HistoryStoreTests(AzuriteFixture azurite)
{
    public static readonly TheoryData<string> Stores = ["memory", "azure"];

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Pages_read_back_as_ranges_in_page_order(string kind)
    {
        var (history, _) = await CreateAsync(kind);
        var grain = ConfiguredStorage.NewGrainId();
        foreach (var page in new long[] { 3, 0, 11, 1, 2 })
        {
            await history.WritePageAsync(grain, "board", page, Entries(page), Ct);
        }

        var two = await PageAsync(history, grain, "board", 2);
        var missing = await PageAsync(history, grain, "board", 4);
        var all = await history.ReadPagesAsync<HistoryEntry[]>(grain, "board", cancellationToken: Ct).ToListAsync(Ct);
        var range = await history.ReadPagesAsync<HistoryEntry[]>(grain, "board", 1, 3, Ct).ToListAsync(Ct);

        Assert.Equal(Entries(2), two!.Content);
        Assert.Null(missing);
        Assert.Equal([0L, 1, 2, 3, 11], all.Select(p => p.Number));
        Assert.Equal([1L, 2, 3], range.Select(p => p.Number));
        Assert.All(all, p => Assert.Equal(Entries(p.Number), p.Content));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Streams_and_grains_keep_their_own_pages(string kind)
    {
        var (history, _) = await CreateAsync(kind);
        var grain = ConfiguredStorage.NewGrainId();
        var other = ConfiguredStorage.NewGrainId();

        await history.WritePageAsync(grain, "board", 0, Entries(0), Ct);
        await history.WritePageAsync(grain, "chat", 0, Entries(100), Ct);
        await history.WritePageAsync(other, "board", 0, Entries(200), Ct);

        Assert.Equal(Entries(0), (await PageAsync(history, grain, "board", 0))!.Content);
        Assert.Equal(Entries(100), (await PageAsync(history, grain, "chat", 0))!.Content);
        Assert.Single(await history.ReadPagesAsync<HistoryEntry[]>(other, "board", cancellationToken: Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task Grain_ids_that_the_state_provider_would_fold_together_keep_their_own_pages()
    {
        var (history, _) = await CreateAsync("azure");
        var stem = Guid.NewGuid().ToString("N");

        await history.WritePageAsync(ConfiguredStorage.NewGrainId(stem + "/x"), "board", 0, Entries(1), Ct);
        await history.WritePageAsync(ConfiguredStorage.NewGrainId(stem + "_x"), "board", 0, Entries(2), Ct);

        Assert.Equal(Entries(1), (await PageAsync(history, ConfiguredStorage.NewGrainId(stem + "/x"), "board", 0))!.Content);
        Assert.Equal(Entries(2), (await PageAsync(history, ConfiguredStorage.NewGrainId(stem + "_x"), "board", 0))!.Content);
    }

    [Fact]
    public async Task A_history_table_deleted_under_a_running_silo_is_created_again()
    {
        var (history, configured) = await CreateAsync("azure");
        var grain = ConfiguredStorage.NewGrainId();
        await history.WritePageAsync(grain, "board", 0, Entries(0), Ct);

        await new Azure.Data.Tables.TableClient(azurite.Server.ConnectionString, configured!.Settings["Huddle:Storage:AzureTable:HistoryTableName"]).DeleteAsync(Ct);
        await history.WritePageAsync(grain, "board", 1, Entries(1), Ct);

        Assert.Equal(Entries(1), (await PageAsync(history, grain, "board", 1))!.Content);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Rewriting_a_page_replaces_it(string kind)
    {
        var (history, _) = await CreateAsync(kind);
        var grain = ConfiguredStorage.NewGrainId();
        for (var page = 0; page < 5; page++)
        {
            await history.WritePageAsync(grain, "board", page, Entries(page), Ct);
        }

        await history.WritePageAsync(grain, "board", 4, Entries(40), Ct);
        var all = await history.ReadPagesAsync<HistoryEntry[]>(grain, "board", cancellationToken: Ct).ToListAsync(Ct);

        Assert.Equal([0L, 1, 2, 3, 4], all.Select(p => p.Number));
        Assert.Equal(Entries(40), all[^1].Content);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_page_too_large_for_one_row_fails_with_a_typed_exception(string kind)
    {
        var (history, _) = await CreateAsync(kind);
        // Distinct strings: a serializer may store one shared string once.
        var big = Enumerable.Range(0, 40_000).Select(i => new HistoryEntry(i, $"entry {i} with some words in it — ü")).ToArray();

        await Assert.ThrowsAsync<StorageLimitExceededException>(() => history.WritePageAsync(ConfiguredStorage.NewGrainId(), "board", 0, big, Ct));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Deleting_a_range_of_pages_leaves_the_others_and_deleting_again_is_no_error(string kind)
    {
        var (history, _) = await CreateAsync(kind);
        var grain = ConfiguredStorage.NewGrainId();
        for (var page = 0L; page < 6; page++)
        {
            await history.WritePageAsync(grain, "messages", page, Entries(page), Ct);
        }

        await history.WritePageAsync(grain, "amends", 2, Entries(2), Ct);
        await history.DeletePagesAsync(grain, "messages", 1, 3, Ct);
        await history.DeletePagesAsync(grain, "messages", 0, 3, Ct);
        await history.DeletePagesAsync(grain, "messages", 0, 3, Ct);

        var left = await history.ReadPagesAsync<HistoryEntry[]>(grain, "messages", cancellationToken: Ct).ToListAsync(Ct);
        Assert.Equal([4L, 5], left.Select(p => p.Number));
        Assert.NotNull(await PageAsync(history, grain, "amends", 2));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_batch_of_scattered_pages_is_written_at_once_and_one_naming_a_page_twice_writes_nothing(string kind)
    {
        var (history, _) = await CreateAsync(kind);
        var grain = ConfiguredStorage.NewGrainId();
        // 150 pages (more than one table transaction takes) at hash-like numbers, one of them already there.
        var numbers = Enumerable.Range(1, 150).Select(i => (long)(((ulong)i * 0x9E3779B97F4A7C15UL) & long.MaxValue)).ToList();
        await history.WritePageAsync(grain, "ids", numbers[7], Entries(1000), Ct);
        await history.WritePagesAsync(grain, "ids", [.. numbers.Select((n, i) => new HistoryPage<HistoryEntry[]>(n, Entries(i)))], Ct);

        var all = await history.ReadPagesAsync<HistoryEntry[]>(grain, "ids", cancellationToken: Ct).ToListAsync(Ct);
        Assert.Equal(numbers.Order(), all.Select(p => p.Number));
        Assert.All(all, p => Assert.Equal(Entries(numbers.IndexOf(p.Number)), p.Content));

        // A batch naming one page twice is refused and writes nothing.
        await Assert.ThrowsAsync<ArgumentException>(() => history.WritePagesAsync(grain, "ids",
            [new HistoryPage<HistoryEntry[]>(5, Entries(5)), new HistoryPage<HistoryEntry[]>(5, Entries(6))], Ct));
        Assert.Null(await PageAsync(history, grain, "ids", 5));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>One page, read as a range of one (what the board's history endpoint does per day).</summary>
    private static async Task<HistoryPage<HistoryEntry[]>?> PageAsync(IGrainHistoryStore history, GrainId grain, string stream, long page) =>
        (await history.ReadPagesAsync<HistoryEntry[]>(grain, stream, page, page, Ct).ToListAsync(Ct)).SingleOrDefault();

    private static HistoryEntry[] Entries(long page) =>
        [new HistoryEntry(page * 10, $"page {page} first"), new HistoryEntry((page * 10) + 1, $"page {page} second — é")];

    private async Task<(IGrainHistoryStore History, ConfiguredStorage? Storage)> CreateAsync(string kind)
    {
        if (kind == "memory")
        {
            // A cluster of its own: the memory store is shared by the silos of one cluster in the process.
            return (new MemoryGrainHistoryStore(OrleansServices.Serializer, new Orleans.Configuration.ClusterOptions { ClusterId = $"test-{Guid.NewGuid():N}" }), null);
        }

        var configured = await ConfiguredStorage.StartAsync(azurite.Server);
        return (configured.History, configured);
    }
}
