using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Storage;
using Huddle.Grains.Common;

namespace Huddle.Silo.Storage;

/// <summary>
/// History pages in process memory, for the Memory storage provider: lost when the process stops.
/// Shared by every silo of one cluster in the process (keyed by service and cluster id), as Orleans'
/// memory grain storage is, so a grain re-activated on another in-process silo still finds its pages.
/// Pages are kept serialized, so a page read back is a copy, and the same per-row size limit as
/// Azure Table applies, so a page that would not fit there fails in development too.
/// </summary>
internal sealed class MemoryGrainHistoryStore(IGrainStorageSerializer serializer, ClusterOptions cluster) : IGrainHistoryStore
{
    private static readonly ConcurrentDictionary<(string Cluster, GrainId GrainId, string Stream), SortedList<long, byte[]>> Pages = new();

    private readonly string _cluster = cluster.ServiceId + "/" + cluster.ClusterId;

    public Task WritePageAsync<T>(GrainId grainId, string stream, long page, T content, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(page);
        var payload = Serialize(content);
        var pages = Pages.GetOrAdd((_cluster, grainId, stream), _ => []);
        lock (pages)
        {
            pages[page] = payload;
        }

        return Task.CompletedTask;
    }

    public Task WritePagesAsync<T>(GrainId grainId, string stream, IReadOnlyList<HistoryPage<T>> pages, CancellationToken cancellationToken = default)
    {
        AzureTableGrainHistoryStore.CheckBatch(pages);

        // Serialized and checked first, so a page too large leaves the batch unwritten, as a refused transaction would.
        var payloads = pages.Select(p => (p.Number, Payload: Serialize(p.Content))).ToList();
        var stored = Pages.GetOrAdd((_cluster, grainId, stream), _ => []);
        lock (stored)
        {
            foreach (var (number, payload) in payloads)
            {
                ArgumentOutOfRangeException.ThrowIfNegative(number);
                stored[number] = payload;
            }
        }

        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<HistoryPage<T>> ReadPagesAsync<T>(
        GrainId grainId,
        string stream,
        long fromPage = 0,
        long toPage = long.MaxValue,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (!Pages.TryGetValue((_cluster, grainId, stream), out var pages))
        {
            yield break;
        }

        KeyValuePair<long, byte[]>[] selected;
        lock (pages)
        {
            selected = pages.Where(p => p.Key >= fromPage && p.Key <= toPage).ToArray();
        }

        foreach (var (number, payload) in selected)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new HistoryPage<T>(number, Deserialize<T>(payload));
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    public Task DeletePagesAsync(GrainId grainId, string stream, long fromPage, long toPage, CancellationToken cancellationToken = default)
    {
        if (Pages.TryGetValue((_cluster, grainId, stream), out var pages))
        {
            lock (pages)
            {
                foreach (var number in pages.Keys.Where(k => k >= fromPage && k <= toPage).ToList())
                {
                    pages.Remove(number);
                }
            }
        }

        return Task.CompletedTask;
    }

    private byte[] Serialize<T>(T content)
    {
        var payload = serializer.Serialize(content).ToArray();
        return payload.Length > AzureTableGrainHistoryStore.MaxPageBytes
            ? throw new StorageLimitExceededException("history page size (bytes)", payload.Length, AzureTableGrainHistoryStore.MaxPageBytes)
            : payload;
    }

    private T Deserialize<T>(byte[] payload) =>
        serializer.Deserialize<T>(new BinaryData(payload))
        ?? throw new HuddleStorageException($"A history page deserialized as null {typeof(T).Name}.");
}
