using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Huddle.Grains.Common;

namespace Huddle.Grains.Tests;

/// <summary>The silo's history store, with how many page reads (queries) and page writes each grain made, and gates a test may hold a grain's page writes or its next page read at.</summary>
public sealed class MeasuredHistoryStore(IGrainHistoryStore inner) : IGrainHistoryStore
{
    /// <summary>Page reads (one per <see cref="ReadPagesAsync"/> call: one storage query) by grain id.</summary>
    public static ConcurrentDictionary<GrainId, int> Reads { get; } = new();

    /// <summary>Page writes by grain id.</summary>
    public static ConcurrentDictionary<GrainId, int> Writes { get; } = new();

    private static readonly ConcurrentDictionary<GrainId, Func<Task>> Gates = new();

    /// <summary>Makes every page write of <paramref name="grainId"/> wait for <paramref name="gate"/> until <see cref="Open"/>.</summary>
    public static void Hold(GrainId grainId, Func<Task> gate) => Gates[grainId] = gate;

    /// <summary>Lets <paramref name="grainId"/>'s page writes through again.</summary>
    public static void Open(GrainId grainId) => Gates.TryRemove(grainId, out _);

    private static readonly ConcurrentDictionary<(GrainId, string), (TaskCompletionSource Reached, Task Release)> ReadGates = new();

    /// <summary>
    /// Holds the next page read of <paramref name="grainId"/>'s <paramref name="stream"/> (before it reaches
    /// storage) until <paramref name="release"/> completes; the task returned completes when that read is held.
    /// </summary>
    public static Task HoldNextRead(GrainId grainId, string stream, Task release)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ReadGates[(grainId, stream)] = (reached, release);
        return reached.Task;
    }

    public async Task WritePageAsync<T>(GrainId grainId, string stream, long page, T content, CancellationToken cancellationToken = default)
    {
        await CountWriteAsync(grainId);
        await inner.WritePageAsync(grainId, stream, page, content, cancellationToken);
    }

    /// <summary>One batch is one write (one storage call for up to 100 pages).</summary>
    public async Task WritePagesAsync<T>(GrainId grainId, string stream, IReadOnlyList<HistoryPage<T>> pages, CancellationToken cancellationToken = default)
    {
        await CountWriteAsync(grainId);
        await inner.WritePagesAsync(grainId, stream, pages, cancellationToken);
    }

    /// <summary>Waits at the grain's gate, if held, then counts one write.</summary>
    private static async Task CountWriteAsync(GrainId grainId)
    {
        if (Gates.TryGetValue(grainId, out var gate))
        {
            await gate();
        }

        Writes.AddOrUpdate(grainId, 1, (_, n) => n + 1);
    }

    public Task DeletePagesAsync(GrainId grainId, string stream, long fromPage, long toPage, CancellationToken cancellationToken = default) =>
        inner.DeletePagesAsync(grainId, stream, fromPage, toPage, cancellationToken);

    public async IAsyncEnumerable<HistoryPage<T>> ReadPagesAsync<T>(GrainId grainId, string stream, long fromPage = 0, long toPage = long.MaxValue,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Reads.AddOrUpdate(grainId, 1, (_, n) => n + 1);
        if (ReadGates.TryRemove((grainId, stream), out var gate))
        {
            gate.Reached.TrySetResult();
            await gate.Release;
        }

        await foreach (var page in inner.ReadPagesAsync<T>(grainId, stream, fromPage, toPage, cancellationToken))
        {
            yield return page;
        }
    }
}
