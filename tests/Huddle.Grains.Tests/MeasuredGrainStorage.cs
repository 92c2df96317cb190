using System.Collections.Concurrent;
using Orleans.Storage;

namespace Huddle.Grains.Tests;

/// <summary>
/// The test cluster's grain storage: Orleans' memory storage, with what a test needs to see of it —
/// how many bytes each grain's state took when last written (serialized as the silo's storage
/// serializer writes it, the size a storage row holds) and what it held, how many writes each grain made, and a gate
/// a test may hold a grain's writes at (to prove a read does not wait behind a write).
/// </summary>
public sealed class MeasuredGrainStorage(IGrainStorage inner, IGrainStorageSerializer serializer) : IGrainStorage
{
    private static readonly ConcurrentDictionary<GrainId, Func<Task>> Gates = new();

    /// <summary>The serialized size of each grain state's last write, by grain id.</summary>
    public static ConcurrentDictionary<GrainId, int> LastWriteBytes { get; } = new();

    /// <summary>Each grain state's last write as storage got it (serialized), by grain id.</summary>
    private static readonly ConcurrentDictionary<GrainId, (BinaryData Data, IGrainStorageSerializer Serializer)> LastWrites = new();

    /// <summary>The row <paramref name="grainId"/> last wrote, read back from what storage got; null before any write.</summary>
    public static T? LastWritten<T>(GrainId grainId) =>
        LastWrites.TryGetValue(grainId, out var last) ? last.Serializer.Deserialize<T>(last.Data) : default;

    /// <summary>How many writes each grain state has made, by grain id.</summary>
    public static ConcurrentDictionary<GrainId, int> Writes { get; } = new();

    /// <summary>How many reads each grain state has made (one per activation), by grain id.</summary>
    public static ConcurrentDictionary<GrainId, int> Reads { get; } = new();

    /// <summary>Makes every write of <paramref name="grainId"/> wait for <paramref name="gate"/> until <see cref="Open"/>.</summary>
    public static void Hold(GrainId grainId, Func<Task> gate) => Gates[grainId] = gate;

    /// <summary>Lets <paramref name="grainId"/>'s writes through again.</summary>
    public static void Open(GrainId grainId) => Gates.TryRemove(grainId, out _);

    private static readonly ConcurrentDictionary<GrainId, bool> Losing = new();

    /// <summary>
    /// Deletes <paramref name="grainId"/>'s stored row at its next read, which then finds nothing: its state
    /// as storage lost it (a restore without it), for the activation after the current one.
    /// </summary>
    public static void LoseAtNextRead(GrainId grainId) => Losing[grainId] = true;

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        Reads.AddOrUpdate(grainId, 1, (_, n) => n + 1);
        await inner.ReadStateAsync(stateName, grainId, grainState);
        if (Losing.TryRemove(grainId, out _) && grainState.RecordExists)
        {
            await inner.ClearStateAsync(stateName, grainId, grainState);
            (grainState.State, grainState.ETag, grainState.RecordExists) = (Activator.CreateInstance<T>(), null, false);
        }
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        if (Gates.TryGetValue(grainId, out var gate))
        {
            await gate();
        }

        var data = serializer.Serialize(grainState.State);
        LastWriteBytes[grainId] = data.ToMemory().Length;
        LastWrites[grainId] = (data, serializer);
        Writes.AddOrUpdate(grainId, 1, (_, n) => n + 1);
        await inner.WriteStateAsync(stateName, grainId, grainState);
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);
}
