using Azure.Data.Tables;

namespace Huddle.Silo.Storage;

/// <summary>
/// How a serialized payload is laid out in one table row, and Azure's real limits on it.
/// </summary>
/// <remarks>
/// The payload is split over binary properties <c>Data0</c>…<c>DataN</c> of at most 64 KiB each;
/// <c>DataLength</c> and <c>DataChunks</c> let a read tell a whole row from a damaged one, and
/// <c>WriteId</c> names the write that produced the row (see <see cref="HuddleTable"/>). Azurite
/// accepts rows Azure rejects, so the limits are enforced here, with the entity size computed as
/// Azure documents it: 4 bytes + 2 bytes per key char + for each property 8 bytes + 2 bytes per name
/// char + the value (binary: length + 4; Guid 16; Int64 8; Int32 4). The Timestamp system property is
/// counted too.
/// </remarks>
internal static class TableRowFormat
{
    /// <summary>Largest entity Azure stores: 1 MiB.</summary>
    public const int MaxEntityBytes = 1024 * 1024;

    /// <summary>Largest binary property: 64 KiB.</summary>
    public const int MaxBinaryPropertyBytes = 64 * 1024;

    /// <summary>Most properties per entity, PartitionKey, RowKey and Timestamp included.</summary>
    public const int MaxProperties = 255;

    public const string WriteIdProperty = "WriteId";
    public const string LengthProperty = "DataLength";
    public const string ChunksProperty = "DataChunks";
    private const string ChunkPrefix = "Data";
    private const int SystemProperties = 3;
    private const int MaxChunks = MaxProperties - SystemProperties - 3;

    // 4 bytes of entity overhead, then Timestamp, WriteId (Guid), DataLength (Int64), DataChunks (Int32).
    private const int FixedBytes = 4
        + (8 + (2 * 9) + 8)
        + (8 + (2 * 7) + 16)
        + (8 + (2 * 10) + 8)
        + (8 + (2 * 10) + 4);

    private static readonly string[] ChunkNames = Enumerable.Range(0, MaxChunks).Select(i => ChunkPrefix + i).ToArray();

    /// <summary>
    /// The row for <paramref name="payload"/>. Throws <see cref="StorageLimitExceededException"/>
    /// when it would not fit one Azure entity.
    /// </summary>
    public static TableEntity Build(string partitionKey, string rowKey, ReadOnlyMemory<byte> payload, Guid writeId)
    {
        var chunks = ChunkCount(payload.Length);
        if (chunks > MaxChunks)
        {
            throw new StorageLimitExceededException("property count", SystemProperties + 3 + chunks, MaxProperties);
        }

        var size = EntityBytes(partitionKey, rowKey, payload.Length);
        if (size > MaxEntityBytes)
        {
            throw new StorageLimitExceededException("entity size (bytes)", size, MaxEntityBytes);
        }

        var entity = new TableEntity(partitionKey, rowKey)
        {
            [WriteIdProperty] = writeId,
            [LengthProperty] = (long)payload.Length,
            [ChunksProperty] = chunks,
        };
        for (var i = 0; i < chunks; i++)
        {
            var start = i * MaxBinaryPropertyBytes;
            entity[ChunkNames[i]] = payload.Slice(start, Math.Min(MaxBinaryPropertyBytes, payload.Length - start)).ToArray();
        }

        return entity;
    }

    /// <summary>
    /// The payload of <paramref name="entity"/> (empty for a blank row). Throws
    /// <see cref="HuddleStorageException"/> when the row's pieces don't add up, rather than hand a
    /// grain half a state.
    /// </summary>
    public static byte[] ReadPayload(TableEntity entity)
    {
        var length = entity.GetInt64(LengthProperty);
        var chunks = entity.GetInt32(ChunksProperty);
        if (length is null || chunks is null || length < 0 || chunks < 0 || chunks > MaxChunks)
        {
            throw new HuddleStorageException("A grain storage row has no valid DataLength/DataChunks: it was not written by Huddle's table storage, or is damaged.");
        }

        var payload = new byte[length.Value];
        var offset = 0;
        for (var i = 0; i < chunks; i++)
        {
            var chunk = entity.GetBinary(ChunkNames[i]);
            if (chunk is null || offset + chunk.Length > payload.Length)
            {
                throw new HuddleStorageException($"A grain storage row is damaged: chunk {i} of {chunks} is missing or longer than the recorded length.");
            }

            chunk.CopyTo(payload, offset);
            offset += chunk.Length;
        }

        if (offset != payload.Length)
        {
            throw new HuddleStorageException($"A grain storage row is damaged: its chunks hold {offset} bytes, its DataLength says {payload.Length}.");
        }

        return payload;
    }

    /// <summary>The write id stored in <paramref name="entity"/>, if any.</summary>
    public static Guid? WriteIdOf(TableEntity entity) => entity.GetGuid(WriteIdProperty);

    /// <summary>The largest payload that fits one row with these keys.</summary>
    public static int MaxPayloadBytes(string partitionKey, string rowKey)
    {
        // Each extra chunk costs its own overhead, so try each chunk count and keep the best.
        var best = 0;
        for (var chunks = 1; chunks <= MaxChunks; chunks++)
        {
            var room = (int)(MaxEntityBytes - EntityBytes(partitionKey, rowKey, 0)) - ChunkOverhead(chunks);
            var fits = Math.Min(room, chunks * MaxBinaryPropertyBytes);
            if (fits <= (chunks - 1) * MaxBinaryPropertyBytes)
            {
                break;
            }

            best = Math.Max(best, fits);
        }

        return best;
    }

    /// <summary>Azure's size of the row that would hold <paramref name="payloadLength"/> bytes.</summary>
    public static long EntityBytes(string partitionKey, string rowKey, int payloadLength) =>
        FixedBytes + (2L * (partitionKey.Length + rowKey.Length)) + ChunkOverhead(ChunkCount(payloadLength)) + payloadLength;

    private static int ChunkCount(int payloadLength) => (payloadLength + MaxBinaryPropertyBytes - 1) / MaxBinaryPropertyBytes;

    // Per chunk: 8 bytes + the name at 2 bytes a char + 4 bytes of binary length.
    private static int ChunkOverhead(int chunks)
    {
        var total = 0;
        for (var i = 0; i < chunks; i++)
        {
            total += 8 + (2 * ChunkNames[Math.Min(i, MaxChunks - 1)].Length) + 4;
        }

        return total;
    }
}
