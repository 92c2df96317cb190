using System.Diagnostics;
using Azure.Data.Tables;

namespace Huddle.Bench.Baseline;

/// <summary>
/// The durable floor's one table: a delivery's payload is written as one row (bytes in <c>Data</c>, as
/// Orleans' Azure Table provider stores a grain's state) before it is sent. Without a connection
/// string there is no table, and the durable hub method refuses. Each write's own time is kept until
/// the bench takes it (<see cref="TakeWriteTimes"/>), so a report can tell the write from the rest.
/// </summary>
public sealed class FloorTable(TableClient? table)
{
    private readonly List<double> _writeMs = [];

    /// <summary>The connection string's name (<c>ConnectionStrings__BaselineStorage</c>).</summary>
    public const string ConnectionName = "BaselineStorage";

    /// <summary>The table the floor writes to.</summary>
    public const string TableName = "BaselineFloor";

    /// <summary>A floor on <paramref name="connectionString"/>, or none when it is empty.</summary>
    public static FloorTable FromConnectionString(string? connectionString) =>
        new(string.IsNullOrWhiteSpace(connectionString) ? null : new TableClient(connectionString, TableName));

    /// <summary>Creates the table at start, so the first measured write is not also a create.</summary>
    public async Task CreateAsync(CancellationToken ct)
    {
        if (table is not null)
        {
            await table.CreateIfNotExistsAsync(ct);
        }
    }

    /// <summary>
    /// One round trip: upserts row <paramref name="rowKey"/> of partition <paramref name="partitionKey"/>
    /// with <paramref name="payload"/> (a new key inserts, as a new grain's first write does; the same
    /// key replaces, as a grain's next write does).
    /// </summary>
    public async Task WriteAsync(string partitionKey, string rowKey, byte[] payload, CancellationToken ct)
    {
        if (table is null)
        {
            throw new InvalidOperationException($"The durable floor needs ConnectionStrings:{ConnectionName}.");
        }

        var entity = new TableEntity(partitionKey, rowKey) { ["Data"] = payload };
        var start = Stopwatch.GetTimestamp();
        using var response = await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, ct);
        var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        lock (_writeMs)
        {
            // Bounded: a bench run takes them every run; nobody else calls this server.
            if (_writeMs.Count < 1_000_000)
            {
                _writeMs.Add(ms);
            }
        }
    }

    /// <summary>The time of every write since the last call (ms, in order), and forgets them.</summary>
    public double[] TakeWriteTimes()
    {
        lock (_writeMs)
        {
            var times = _writeMs.ToArray();
            _writeMs.Clear();
            return times;
        }
    }
}
