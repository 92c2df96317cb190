using System.Collections.Immutable;
using Huddle.Contracts.Chat;

namespace Huddle.Grains.Chat;

/// <summary>
/// A clinician's chat row: their listed threads (besides their teams'), most recently added first, at
/// most <see cref="ChatLimits.MaxListedThreads"/>; and their cursors, one entry per thread they were told
/// a head of or reported on, at most <see cref="ThreadListGrain.MaxCursors"/>; and the threads marked
/// moving, at most one per cursor entry.
/// </summary>
[GenerateSerializer, Alias("huddle.thread-list-state")]
public sealed class ThreadListState
{
    [Id(0)]
    public ImmutableArray<ThreadRef> Threads { get; set; } = [];

    [Id(1)]
    public ImmutableArray<ThreadCursorEntry> Cursors { get; set; } = [];

    /// <summary>
    /// The threads marked moving: their head in <see cref="Cursors"/> may be older than one this grain took
    /// (a head-only move of a marked thread is held in memory, not written), so an activation asks each its
    /// head. Only threads with an entry, with messages unread at the last write (or not yet asked): at most
    /// <see cref="ThreadListGrain.MaxCursors"/>, one per entry; a thread leaving the entries loses its mark.
    /// </summary>
    [Id(2)]
    public ImmutableArray<string> Moving { get; set; } = [];
}
