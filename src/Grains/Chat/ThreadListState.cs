using System.Collections.Immutable;
using Huddle.Contracts.Chat;

namespace Huddle.Grains.Chat;

/// <summary>A clinician's listed threads (besides their teams'), most recently added first; at most <see cref="ChatLimits.MaxListedThreads"/>.</summary>
[GenerateSerializer, Alias("huddle.thread-list-state")]
public sealed class ThreadListState
{
    [Id(0)]
    public ImmutableArray<ThreadRef> Threads { get; set; } = [];
}
