using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Huddle.Grains.Common;

namespace Huddle.Grains.Tests;

/// <summary>The silo's history store, with how many page reads (queries) and page writes each grain made.</summary>
public sealed class MeasuredHistoryStore(IGrainHistoryStore inner) : IGrainHistoryStore
{
    /// <summary>Page reads (one per <see cref="ReadPagesAsync"/> call: one storage query) by grain id.</summary>
    public static ConcurrentDictionary<GrainId, int> Reads { get; } = new();

    /// <summary>Page writes by grain id.</summary>
    public static ConcurrentDictionary<GrainId, int> Writes { get; } = new();

    public Task WritePageAsync<T>(GrainId grainId, string stream, long page, T content, CancellationToken cancellationToken = default)
    {
        Writes.AddOrUpdate(grainId, 1, (_, n) => n + 1);
        return inner.WritePageAsync(grainId, stream, page, content, cancellationToken);
    }

    public async IAsyncEnumerable<HistoryPage<T>> ReadPagesAsync<T>(GrainId grainId, string stream, long fromPage = 0, long toPage = long.MaxValue,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Reads.AddOrUpdate(grainId, 1, (_, n) => n + 1);
        await foreach (var page in inner.ReadPagesAsync<T>(grainId, stream, fromPage, toPage, cancellationToken))
        {
            yield return page;
        }
    }
}
