using System.Runtime.CompilerServices;
using Orleans.Runtime;
using Orleans.Storage;
using Huddle.Grains.Common;

namespace Huddle.Silo.Storage;

/// <summary>
/// History pages in the same table as grain state, in the grain's own partition
/// (row key <c>h|{stream}|{page}</c>), with the same row format, limits and timeouts.
/// </summary>
internal sealed class AzureTableGrainHistoryStore(HuddleTable table, string serviceId, IGrainStorageSerializer serializer) : IGrainHistoryStore
{
    public async Task WritePageAsync<T>(GrainId grainId, string stream, long page, T content, CancellationToken cancellationToken = default)
    {
        var payload = serializer.Serialize(content).ToMemory();
        await table.UpsertAsync(TableKeys.PartitionKey(serviceId, grainId), TableKeys.HistoryRowKey(stream, page), payload, cancellationToken).ConfigureAwait(false);
    }

    public async Task<HistoryPage<T>?> ReadPageAsync<T>(GrainId grainId, string stream, long page, CancellationToken cancellationToken = default)
    {
        var row = await table.ReadAsync(TableKeys.PartitionKey(serviceId, grainId), TableKeys.HistoryRowKey(stream, page), cancellationToken).ConfigureAwait(false);
        return row is null ? null : new HistoryPage<T>(page, Deserialize<T>(TableRowFormat.ReadPayload(row)));
    }

    public async IAsyncEnumerable<HistoryPage<T>> ReadPagesAsync<T>(
        GrainId grainId,
        string stream,
        long fromPage = 0,
        long toPage = long.MaxValue,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (toPage < fromPage)
        {
            yield break;
        }

        var pk = TableKeys.PartitionKey(serviceId, grainId);
        var rows = table.QueryAsync(pk, TableKeys.HistoryRowKey(stream, fromPage), TableKeys.HistoryRowKey(stream, toPage), select: null, cancellationToken);
        await foreach (var row in rows.ConfigureAwait(false))
        {
            yield return new HistoryPage<T>(TableKeys.PageOf(row.RowKey), Deserialize<T>(TableRowFormat.ReadPayload(row)));
        }
    }

    public async Task<int> DeletePagesAsync(GrainId grainId, string stream, long beforePage, CancellationToken cancellationToken = default)
    {
        if (beforePage <= 0)
        {
            return 0;
        }

        var pk = TableKeys.PartitionKey(serviceId, grainId);
        var keys = new List<string>();
        var rows = table.QueryAsync(pk, TableKeys.HistoryRowKey(stream, 0), TableKeys.HistoryRowKey(stream, beforePage - 1), select: ["RowKey"], cancellationToken);
        await foreach (var row in rows.ConfigureAwait(false))
        {
            keys.Add(row.RowKey);
        }

        var deleted = 0;
        foreach (var rowKey in keys)
        {
            if (await table.DeleteUnconditionallyAsync(pk, rowKey, cancellationToken).ConfigureAwait(false))
            {
                deleted++;
            }
        }

        return deleted;
    }

    private T Deserialize<T>(byte[] payload) =>
        serializer.Deserialize<T>(new BinaryData(payload))
        ?? throw new HuddleStorageException($"A history page deserialized as null {typeof(T).Name}.");
}
