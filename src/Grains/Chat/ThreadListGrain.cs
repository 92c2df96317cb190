using System.Collections.Immutable;
using Huddle.Contracts.Chat;
using Huddle.Grains.Common;

namespace Huddle.Grains.Chat;

/// <summary>
/// A clinician's thread list (key: the user id). Written only when a thread is new to the list, so a
/// clinician chatting in the same threads all day writes nothing here.
/// </summary>
public sealed class ThreadListGrain(
    [PersistentState(StorageNames.ThreadListState, StorageNames.Huddle)] IPersistentState<ThreadListState> state) : Grain, IThreadListGrain
{
    public async Task AddAsync(ThreadRef thread)
    {
        ArgumentNullException.ThrowIfNull(thread);
        var before = state.State.Threads;
        if (before.Any(t => t.ThreadId == thread.ThreadId))
        {
            return;
        }

        state.State.Threads = [.. before.Prepend(thread).Take(ChatLimits.MaxListedThreads)];
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State.Threads = before;
            throw;
        }
    }

    public Task<ImmutableArray<ThreadRef>> GetAsync() => Task.FromResult(state.State.Threads);
}
