using System.Collections.Immutable;

namespace Huddle.Grains.Common;

/// <summary>
/// Older pages of a grain's history, each stored on its own beside the grain's state (Azure Table:
/// a row in the grain's partition; memory: a dictionary), so a busy grain's state row never grows
/// without bound. Pages are keyed by grain id, a stream name (e.g. "board") and a page number.
/// </summary>
/// <remarks>
/// <para>How a grain uses it: keep the recent end of the history in the grain's own state as a
/// <see cref="HistoryTail{T}"/>, append through <see cref="GrainHistory.AppendAsync"/>, then write
/// the state. When the tail is full, <c>AppendAsync</c> first stores it as page
/// <see cref="HistoryTail{T}.NextPage"/> and returns an empty tail one page further on:</para>
/// <code>
/// var before = state.State.History;
/// state.State.History = await history.AppendAsync(this.GetGrainId(), "board", before, change, pageSize: 200);
/// try { await state.WriteStateAsync(); }
/// catch { state.State.History = before; throw; }
/// </code>
/// <para>Why this order is safe: a page is written before the state that forgets its entries. If
/// the state write then fails, the state still holds the old tail and the next append rewrites the
/// same page number (pages are upserted), so nothing is lost and nothing is counted twice. Reading:
/// <see cref="ReadPagesAsync"/> for a range (oldest first), <see cref="ReadPageAsync"/> for one page.
/// <see cref="GrainHistory.ReadEntryPagesAsync"/> reads what <c>AppendAsync</c> wrote. Each page must
/// fit one storage row (about 1 MiB serialized); size pages well below that.</para>
/// </remarks>
public interface IGrainHistoryStore
{
    /// <summary>Stores <paramref name="content"/> as page <paramref name="page"/>, replacing any earlier write of that page.</summary>
    Task WritePageAsync<T>(GrainId grainId, string stream, long page, T content, CancellationToken cancellationToken = default);

    /// <summary>Page <paramref name="page"/>, or null when it was never written (or was deleted).</summary>
    Task<HistoryPage<T>?> ReadPageAsync<T>(GrainId grainId, string stream, long page, CancellationToken cancellationToken = default);

    /// <summary>The stored pages from <paramref name="fromPage"/> to <paramref name="toPage"/> (both inclusive), oldest first.</summary>
    IAsyncEnumerable<HistoryPage<T>> ReadPagesAsync<T>(GrainId grainId, string stream, long fromPage = 0, long toPage = long.MaxValue, CancellationToken cancellationToken = default);

    /// <summary>Deletes every page numbered below <paramref name="beforePage"/> (retention); returns how many there were.</summary>
    Task<int> DeletePagesAsync(GrainId grainId, string stream, long beforePage, CancellationToken cancellationToken = default);
}

/// <summary>One stored page of a grain's history.</summary>
[GenerateSerializer, Alias("huddle.history-page`1")]
public sealed record HistoryPage<T>(
    [property: Id(0)] long Number,
    [property: Id(1)] T Content);

/// <summary>
/// The recent end of a grain's history, kept in the grain's state. Immutable, so a grain can put the
/// previous tail back when a state write fails.
/// </summary>
[GenerateSerializer, Alias("huddle.history-tail`1")]
public sealed record HistoryTail<T>(
    [property: Id(0)] long NextPage,
    [property: Id(1)] ImmutableArray<T> Entries)
{
    /// <summary>An empty history, whose first full page will be page 0.</summary>
    public static HistoryTail<T> Empty { get; } = new(0, []);
}

/// <summary>The paging step grains use with <see cref="IGrainHistoryStore"/>.</summary>
public static class GrainHistory
{
    /// <summary>
    /// Appends <paramref name="entry"/> to <paramref name="tail"/>. When that makes the tail hold
    /// <paramref name="pageSize"/> entries, stores them as page <see cref="HistoryTail{T}.NextPage"/>
    /// and returns an empty tail for the next page. The caller writes its state afterwards.
    /// </summary>
    public static async Task<HistoryTail<T>> AppendAsync<T>(
        this IGrainHistoryStore store,
        GrainId grainId,
        string stream,
        HistoryTail<T>? tail,
        T entry,
        int pageSize,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        tail ??= HistoryTail<T>.Empty;
        var entries = tail.Entries.IsDefault ? [entry] : tail.Entries.Add(entry);
        if (entries.Length < pageSize)
        {
            return tail with { Entries = entries };
        }

        await store.WritePageAsync(grainId, stream, tail.NextPage, entries, cancellationToken).ConfigureAwait(false);
        return new HistoryTail<T>(tail.NextPage + 1, []);
    }

    /// <summary>
    /// The pages <see cref="AppendAsync"/> stored (each an <see cref="ImmutableArray{T}"/> of
    /// entries) from <paramref name="fromPage"/> to <paramref name="toPage"/>, oldest first. The
    /// newest entries are still in the grain's <see cref="HistoryTail{T}"/>.
    /// </summary>
    public static IAsyncEnumerable<HistoryPage<ImmutableArray<T>>> ReadEntryPagesAsync<T>(
        this IGrainHistoryStore store,
        GrainId grainId,
        string stream,
        long fromPage = 0,
        long toPage = long.MaxValue,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.ReadPagesAsync<ImmutableArray<T>>(grainId, stream, fromPage, toPage, cancellationToken);
    }
}
