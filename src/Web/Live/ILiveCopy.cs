namespace Huddle.Web.Live;

/// <summary>
/// What a feature's live copy knows of its own data, and all it writes: how a change is numbered and
/// how it merges. <see cref="LiveFeed{TSnapshot, TChange}"/> does the rest (drop what is already held,
/// catch up on a gap, re-read on a reset, page while the owner says there is more) for every feed alike.
/// Every method runs on the component's renderer, one at a time.
/// </summary>
public interface ILiveCopy<in TSnapshot, in TChange>
{
    /// <summary>The change's seq (a board's version).</summary>
    long SeqOf(TChange change);

    /// <summary>True for a "re-read the snapshot" change: it is never stale and never merged.</summary>
    bool IsReset(TChange change);

    /// <summary>Replaces everything held with <paramref name="snapshot"/>.</summary>
    void Take(TSnapshot snapshot);

    /// <summary>Merges the next change in order; false when it cannot be merged (the feed then catches up).</summary>
    bool Merge(TChange change);

    /// <summary>The reader may no longer see the feed (forbidden, not found): nothing of it stays on screen.</summary>
    void Forget();

    /// <summary>
    /// True for an unnumbered hint (an inbox's ping sent straight after the handoff's write): merged by
    /// <see cref="MergeHint"/> whatever the seq, never caught up on. Feeds without hints keep the default.
    /// </summary>
    bool IsHint(TChange change) => false;

    /// <summary>Merges a hint when it is newer than what is held (the feature's own version rule); true when what is shown changed.</summary>
    bool MergeHint(TChange change) => false;

    /// <summary>
    /// True for a change that moves the reader to its seq from any earlier one: what lay between was
    /// removed (a chat thread's retention), and the change itself says so. Merged like any change, but
    /// without the gap check; feeds that remove nothing keep the default.
    /// </summary>
    bool IsCut(TChange change) => false;
}
