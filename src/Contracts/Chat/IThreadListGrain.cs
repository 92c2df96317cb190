using System.Collections.Immutable;

namespace Huddle.Contracts.Chat;

/// <summary>
/// The threads a clinician took part in besides their teams' (key: the user id): direct threads
/// started with them and patient threads they wrote in or opened. A hint for their thread list, not
/// a promise: each thread checks membership itself on every call.
/// </summary>
public interface IThreadListGrain : IGrainWithStringKey
{
    /// <summary>Adds <paramref name="thread"/> (first in the list) when it is not listed yet; at most <see cref="ChatLimits.MaxListedThreads"/> kept.</summary>
    Task AddAsync(ThreadRef thread);

    /// <summary>The listed threads, most recently added first.</summary>
    [AlwaysInterleave]
    Task<ImmutableArray<ThreadRef>> GetAsync();
}
