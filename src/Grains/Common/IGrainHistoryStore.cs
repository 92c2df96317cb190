namespace Huddle.Grains.Common;

/// <summary>
/// Older pages of a grain's history, each stored on its own beside the grain's state (Azure Table:
/// a row in the grain's partition; memory: a dictionary), so a busy grain's state row never grows
/// without bound. Pages are keyed by grain id, a stream name (e.g. "board") and a page number.
/// </summary>
/// <remarks>
/// A finished day's board is written as one page (numbered by its day) before the state that
/// forgets it, and pages are upserted: if the state write then fails, the retry writes the same page
/// again, so nothing is lost and nothing is counted twice. Each page must fit one storage row
/// (about 1 MiB serialized). A grain with a retention deletes its old pages itself
/// (<see cref="DeletePagesAsync"/>, e.g. a chat thread); other pages are kept.
/// </remarks>
public interface IGrainHistoryStore
{
    /// <summary>Stores <paramref name="content"/> as page <paramref name="page"/>, replacing any earlier write of that page.</summary>
    Task WritePageAsync<T>(GrainId grainId, string stream, long page, T content, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores several pages of one stream (their numbers distinct), each replacing any earlier write of
    /// it, in as few storage calls as the store allows (Azure Table: one transaction per 100 pages, each
    /// all or nothing); a failure may leave an earlier transaction's pages written, so a retry writes all again.
    /// </summary>
    Task WritePagesAsync<T>(GrainId grainId, string stream, IReadOnlyList<HistoryPage<T>> pages, CancellationToken cancellationToken = default);

    /// <summary>The stored pages from <paramref name="fromPage"/> to <paramref name="toPage"/> (both inclusive), oldest first.</summary>
    IAsyncEnumerable<HistoryPage<T>> ReadPagesAsync<T>(GrainId grainId, string stream, long fromPage = 0, long toPage = long.MaxValue, CancellationToken cancellationToken = default);

    /// <summary>Deletes the stored pages from <paramref name="fromPage"/> to <paramref name="toPage"/> (both inclusive); pages not there are no error.</summary>
    Task DeletePagesAsync(GrainId grainId, string stream, long fromPage, long toPage, CancellationToken cancellationToken = default);
}

/// <summary>One stored page of a grain's history.</summary>
[GenerateSerializer, Alias("huddle.history-page`1")]
public sealed record HistoryPage<T>(
    [property: Id(0)] long Number,
    [property: Id(1)] T Content);
