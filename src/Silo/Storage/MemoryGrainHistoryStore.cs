using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Orleans.Runtime;
using Orleans.Storage;
using Huddle.Grains.Common;

namespace Huddle.Silo.Storage;

/// <summary>
/// History pages in process memory, for the Memory storage provider: lost when the silo stops.
/// Pages are kept serialized, so a page read back is a copy, and the same per-row size limit as
/// Azure Table applies, so a page that would not fit there fails in development too.
/// </summary>
internal sealed class MemoryGrainHistoryStore(IGrainStorageSerializer serializer) : IGrainHistoryStore
{
    private readonly ConcurrentDictionary<(GrainId GrainId, string Stream), SortedList<long, byte[]>> _pages = new();

    public Task WritePageAsync<T>(GrainId grainId, string stream, long page, T content, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(page);
        var payload = serializer.Serialize(content).ToArray();
        if (payload.Length > AzureTableGrainHistoryStore.MaxPageBytes)
        {
            throw new StorageLimitExceededException("history page size (bytes)", payload.Length, AzureTableGrainHistoryStore.MaxPageBytes);
        }

        var pages = _pages.GetOrAdd((grainId, stream), _ => []);
        lock (pages)
        {
            pages[page] = payload;
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
        if (!_pages.TryGetValue((grainId, stream), out var pages))
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

    private T Deserialize<T>(byte[] payload) =>
        serializer.Deserialize<T>(new BinaryData(payload))
        ?? throw new HuddleStorageException($"A history page deserialized as null {typeof(T).Name}.");
}
