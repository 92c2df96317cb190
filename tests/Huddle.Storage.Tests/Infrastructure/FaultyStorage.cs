using Huddle.Silo.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Huddle.Grains.Common;

namespace Huddle.Storage.Tests.Infrastructure;

/// <summary>
/// Wraps the configured "huddle" storage of a test silo and, on demand, fails the next write in one
/// of two ways: after letting it commit (the ambiguous write: stored, but reported failed), or
/// instead of it (nothing stored).
/// </summary>
internal sealed class FaultyStorage(IGrainStorage inner) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    private Exception? _afterCommit;
    private Exception? _instead;

    /// <summary>Registers the wrapper over the configured provider in <paramref name="silo"/>.</summary>
    public static void Register(ISiloBuilder silo) =>
        silo.Services.AddKeyedSingleton<IGrainStorage>(StorageNames.Huddle, (sp, name) => new FaultyStorage(HuddleStorageExtensions.CreateGrainStorage(sp, (string)name!)));

    /// <summary>The next write commits, then throws <paramref name="exception"/> as a lost reply would.</summary>
    public void FailNextWriteAfterCommit(Exception exception) => _afterCommit = exception;

    /// <summary>The next write throws <paramref name="exception"/> and stores nothing.</summary>
    public void FailNextWriteInstead(Exception exception) => _instead = exception;

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (Interlocked.Exchange(ref _instead, null) is { } instead)
        {
            throw instead;
        }

        await inner.WriteStateAsync(stateName, grainId, grainState);
        if (Interlocked.Exchange(ref _afterCommit, null) is { } after)
        {
            throw after;
        }
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);

    public void Participate(ISiloLifecycle lifecycle) => (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(lifecycle);
}
