using System.Globalization;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using Orleans.Runtime;
using Orleans.Storage;
using Huddle.Grains.Common;

namespace Huddle.Silo.Storage;

/// <summary>
/// History pages in a table of their own, one row a page: partition <c>{service id}|{grain id}</c>,
/// row <c>{stream}|{page, 19 digits}</c> (both escaped one-to-one, so two grain ids never share a
/// partition), so a range query reads a grain's pages in order. A page is split over binary
/// properties of 64 KiB; it holds at most <see cref="MaxPageBytes"/>, as a state row does.
/// </summary>
internal sealed class AzureTableGrainHistoryStore(TableClient table, string serviceId, IGrainStorageSerializer serializer)
    : IGrainHistoryStore, ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>The most serialized content one page holds, the same as one grain state row.</summary>
    public const int MaxPageBytes = HuddleGrainStorage.MaxStateBytes;

    private const int ChunkBytes = 64 * 1024;

    /// <summary>The most operations one table transaction takes.</summary>
    private const int MaxBatch = 100;

    /// <summary>
    /// The most page bytes one transaction carries: a transaction's request is at most 4 MiB, and binary
    /// properties travel as base64 (4/3 the size), so 2.5 MiB of pages leaves room for keys and framing.
    /// </summary>
    private const int MaxBatchBytes = 5 * 512 * 1024;
    private const string LengthProperty = "DataLength";
    private const string ChunksProperty = "DataChunks";

    public string TableName => table.Name;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(AzureTableGrainHistoryStore), ServiceLifecycleStage.ApplicationServices, ct => RunAsync("create table", () => table.CreateIfNotExistsAsync(ct)));

    public async Task WritePageAsync<T>(GrainId grainId, string stream, long page, T content, CancellationToken cancellationToken = default)
    {
        var entity = Entity(grainId, stream, page, content, out _);
        await RunAsync("write", () => table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken)).ConfigureAwait(false);
    }

    public async Task WritePagesAsync<T>(GrainId grainId, string stream, IReadOnlyList<HistoryPage<T>> pages, CancellationToken cancellationToken = default)
    {
        CheckBatch(pages);
        // Every page is serialized and checked before the first call, so a page too large writes nothing.
        var entities = pages.Select(p => (Entity: Entity(grainId, stream, p.Number, p.Content, out var bytes), Bytes: bytes)).ToList();
        var batch = new List<TableTransactionAction>();
        var batchBytes = 0;
        foreach (var (entity, bytes) in entities)
        {
            if (batch.Count == MaxBatch || (batch.Count > 0 && batchBytes + bytes > MaxBatchBytes))
            {
                await SubmitAsync("write", batch, cancellationToken).ConfigureAwait(false);
                (batch, batchBytes) = ([], 0);
            }

            batch.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, entity));
            batchBytes += bytes;
        }

        if (batch.Count > 0)
        {
            await SubmitAsync("write", batch, cancellationToken).ConfigureAwait(false);
        }
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

        await foreach (var row in QueryAsync(grainId, stream, fromPage, toPage, cancellationToken).ConfigureAwait(false))
        {
            yield return new HistoryPage<T>(PageOf(row.RowKey), Deserialize<T>(row));
        }
    }

    public async Task DeletePagesAsync(GrainId grainId, string stream, long fromPage, long toPage, CancellationToken cancellationToken = default)
    {
        if (toPage < fromPage)
        {
            return;
        }

        // The rows are found by one range query (keys only) and deleted in transactions of at most 100
        // (one partition: a grain's pages), so a long history goes in few calls.
        var keys = new List<string>();
        await foreach (var row in QueryAsync(grainId, stream, fromPage, toPage, cancellationToken, ["RowKey"]).ConfigureAwait(false))
        {
            keys.Add(row.RowKey);
        }

        var partition = PartitionKey(grainId);
        foreach (var chunk in keys.Chunk(MaxBatch))
        {
            var actions = chunk.Select(k => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partition, k), ETag.All)).ToList();
            await SubmitAsync("delete", actions, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Refuses a batch naming one page twice before any call (a table transaction naming one row twice
    /// is refused whole); the memory store checks the same, so development fails as production would.
    /// </summary>
    internal static void CheckBatch<T>(IReadOnlyList<HistoryPage<T>> pages)
    {
        ArgumentNullException.ThrowIfNull(pages);
        if (pages.Select(p => p.Number).Distinct().Count() != pages.Count)
        {
            throw new ArgumentException("A batch of pages names one page twice.", nameof(pages));
        }
    }

    /// <summary>A page as its row: the serialized content split over binary properties of 64 KiB.</summary>
    private TableEntity Entity<T>(GrainId grainId, string stream, long page, T content, out int bytes)
    {
        var payload = serializer.Serialize(content).ToMemory();
        if (payload.Length > MaxPageBytes)
        {
            throw new StorageLimitExceededException("history page size (bytes)", payload.Length, MaxPageBytes);
        }

        var entity = new TableEntity(PartitionKey(grainId), RowKey(stream, page))
        {
            [LengthProperty] = (long)payload.Length,
            [ChunksProperty] = (payload.Length + ChunkBytes - 1) / ChunkBytes,
        };
        for (var (i, start) = (0, 0); start < payload.Length; i++, start += ChunkBytes)
        {
            entity["Data" + i.ToString(CultureInfo.InvariantCulture)] = payload.Slice(start, Math.Min(ChunkBytes, payload.Length - start)).ToArray();
        }

        bytes = payload.Length;
        return entity;
    }

    private Task SubmitAsync(string operation, IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken) =>
        RunAsync(operation, () => table.SubmitTransactionAsync(actions, cancellationToken));

    private async IAsyncEnumerable<TableEntity> QueryAsync(GrainId grainId, string stream, long fromPage, long toPage, [EnumeratorCancellation] CancellationToken cancellationToken,
        IEnumerable<string>? select = null)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {PartitionKey(grainId)} and RowKey ge {RowKey(stream, fromPage)} and RowKey le {RowKey(stream, toPage)}");
        string? continuation = null;
        do
        {
            // One bounded call per page of results, so a long scan is not one unbounded call.
            var page = await RunAsync("query", async () =>
            {
                await foreach (var p in table.QueryAsync<TableEntity>(filter, maxPerPage: 100, select: select, cancellationToken: cancellationToken).AsPages(continuation, 100).ConfigureAwait(false))
                {
                    return p;
                }

                return null;
            }).ConfigureAwait(false);
            foreach (var entity in page?.Values ?? [])
            {
                yield return entity;
            }

            continuation = page?.ContinuationToken;
        }
        while (continuation is not null);
    }

    private string PartitionKey(GrainId grainId) => Escape(serviceId) + "|" + Escape(grainId.ToString());

    private static string RowKey(string stream, long page)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(page);
        return Escape(stream) + "|" + page.ToString("D19", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Keeps letters, digits, '-', '_' and '.'; anything else becomes <c>~XXXX</c> (its UTF-16 code).
    /// '~' is itself escaped, so the mapping is one-to-one: two ids never share a key, unlike the
    /// grain state provider's replacement of <c>/ \ # ?</c> by '_'.
    /// </summary>
    private static string Escape(string value)
    {
        var sb = new System.Text.StringBuilder(value.Length);
        foreach (var c in value)
        {
            _ = char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'
                ? sb.Append(c)
                : sb.Append('~').Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }

    private static long PageOf(string rowKey) =>
        long.Parse(rowKey.AsSpan(rowKey.LastIndexOf('|') + 1), NumberStyles.None, CultureInfo.InvariantCulture);

    private T Deserialize<T>(TableEntity row)
    {
        var length = row.GetInt64(LengthProperty) ?? throw new HuddleStorageException("A history row has no DataLength: it is damaged or not Huddle's.");
        var payload = new byte[length];
        var offset = 0;
        for (var i = 0; i < (row.GetInt32(ChunksProperty) ?? 0); i++)
        {
            var chunk = row.GetBinary("Data" + i.ToString(CultureInfo.InvariantCulture));
            if (chunk is null || offset + chunk.Length > length)
            {
                throw new HuddleStorageException($"A history row is damaged: chunk {i} is missing or longer than the recorded length.");
            }

            chunk.CopyTo(payload, offset);
            offset += chunk.Length;
        }

        return offset == length
            ? serializer.Deserialize<T>(new BinaryData(payload)) ?? throw new HuddleStorageException($"A history page deserialized as null {typeof(T).Name}.")
            : throw new HuddleStorageException($"A history row is damaged: its chunks hold {offset} bytes, its DataLength says {length}.");
    }

    private async Task<TResult> RunAsync<TResult>(string operation, Func<Task<TResult>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == "TableNotFound")
        {
            // Deleted under a running silo (or an emulator restarted empty): make it again, as silo
            // start would, so history recovers without a restart.
            await table.CreateIfNotExistsAsync().ConfigureAwait(false);
            return await call().ConfigureAwait(false);
        }
        catch (Exception ex) when (StorageFailures.IsOutage(ex))
        {
            throw StorageFailures.Unavailable(table.Name, "history " + operation, ex);
        }
    }
}
