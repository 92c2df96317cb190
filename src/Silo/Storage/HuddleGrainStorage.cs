using System.Diagnostics;
using Huddle.Contracts.Common;
using Orleans.Storage;

namespace Huddle.Silo.Storage;

/// <summary>
/// Orleans' own Azure Table grain storage, with Huddle's cover for its weak points: a state too
/// large for one row fails as <see cref="StorageLimitExceededException"/> (the provider throws a
/// bare <see cref="ArgumentOutOfRangeException"/>), an outage fails as
/// <see cref="GrainStorageUnavailableException"/> (the provider passes the SDK's exceptions on), and
/// every call's latency is measured. Conflicts (<see cref="InconsistentStateException"/>) pass
/// through untouched: the grain reloads and the caller's operation id makes its retry safe.
/// </summary>
internal sealed class HuddleGrainStorage(IGrainStorage inner, string tableName) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>The most serialized state one row of Orleans' Azure Table provider holds: 15 properties of 64 KiB.</summary>
    public const int MaxStateBytes = 15 * 64 * 1024;

    /// <summary>The provider wrapped.</summary>
    public IGrainStorage Inner => inner;

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        RunAsync("read", stateName, () => inner.ReadStateAsync(stateName, grainId, grainState));

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        RunAsync("write", stateName, () => inner.WriteStateAsync(stateName, grainId, grainState));

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        RunAsync("clear", stateName, () => inner.ClearStateAsync(stateName, grainId, grainState));

    public void Participate(ISiloLifecycle lifecycle) => (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(lifecycle);

    private async Task RunAsync(string operation, string stateName, Func<Task> call)
    {
        var started = Stopwatch.GetTimestamp();
        var outcome = "ok";
        try
        {
            await call().ConfigureAwait(false);
        }
        catch (ArgumentOutOfRangeException ex) when (ex.Message.StartsWith("Data too large to write to Azure table", StringComparison.Ordinal))
        {
            outcome = "limit_exceeded";
            throw new StorageLimitExceededException($"Grain state '{stateName}' is larger than the {MaxStateBytes:N0} bytes one Azure Table row holds. Nothing was written.", ex);
        }
        catch (InconsistentStateException)
        {
            outcome = "conflict";
            throw;
        }
        catch (Exception ex) when (StorageFailures.IsOutage(ex))
        {
            outcome = "unavailable";
            throw StorageFailures.Unavailable(tableName, operation, ex);
        }
        finally
        {
            HuddleTelemetry.RecordStorageCall(operation, stateName, outcome, Stopwatch.GetElapsedTime(started));
        }
    }
}
