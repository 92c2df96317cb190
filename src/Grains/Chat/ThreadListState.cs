using System.Collections.Immutable;
using Huddle.Contracts.Chat;

namespace Huddle.Grains.Chat;

/// <summary>
/// A clinician's chat row: their listed threads (besides their teams'), most recently added first, at
/// most <see cref="ChatLimits.MaxListedThreads"/>; and their cursors, one entry per thread they were told
/// a head of or reported on, at most <see cref="ThreadListGrain.MaxCursors"/>.
/// </summary>
[GenerateSerializer, Alias("huddle.thread-list-state")]
public sealed class ThreadListState
{
    [Id(0)]
    public ImmutableArray<ThreadRef> Threads { get; set; } = [];

    [Id(1)]
    public ImmutableArray<ThreadCursorEntry> Cursors { get; set; } = [];
}
