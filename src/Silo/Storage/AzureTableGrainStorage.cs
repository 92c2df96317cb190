using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Huddle.Silo.Storage;

/// <summary>
/// Orleans grain storage on one Azure table: one row per grain per state, guarded by its ETag.
/// </summary>
/// <remarks>
/// Semantics follow Orleans' own Azure Table provider: a missing row reads as a new state with
/// <c>RecordExists</c> false and no ETag; a write with no ETag inserts and fails if a row exists; a
/// write with an ETag replaces only that version; either conflict throws
/// <see cref="InconsistentStateException"/>. Clear deletes the row or leaves it blank
/// (<see cref="HuddleTableStorageOptions.DeleteStateOnClear"/>). What differs: keys are escaped
/// reversibly, the row's size is checked against Azure's real limits before sending, a write whose
/// reply was lost is recognised by its write id, and outages fail within a bounded time.
/// <para>Serialization: Orleans' configured <see cref="IGrainStorageSerializer"/> (see
/// <see cref="HuddleTableStorageOptions.GrainStorageSerializer"/>). Huddle configures Orleans' binary
/// <see cref="OrleansGrainStorageSerializer"/> (HuddleStorageExtensions says why); this provider
/// works with any of them. It ignores System.Text.Json attributes.</para>
/// </remarks>
public sealed partial class AzureTableGrainStorage : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    private readonly string _name;
    private readonly string _serviceId;
    private readonly HuddleTableStorageOptions _options;
    private readonly IGrainStorageSerializer _serializer;
    private readonly IActivatorProvider _activators;
    private readonly ILogger _logger;

    internal AzureTableGrainStorage(
        string name,
        string serviceId,
        HuddleTableStorageOptions options,
        HuddleTable table,
        IActivatorProvider activators,
        ILogger<AzureTableGrainStorage> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _name = name;
        _serviceId = serviceId;
        _options = options;
        _serializer = options.GrainStorageSerializer ?? throw new InvalidOperationException("No grain storage serializer is configured.");
        Table = table;
        _activators = activators;
        _logger = logger;
    }

    internal HuddleTable Table { get; }

    /// <inheritdoc/>
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var (pk, rk) = Keys(stateName, grainId);
        var row = await Table.ReadAsync(pk, rk).ConfigureAwait(false);
        if (row is null)
        {
            grainState.State = CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }

        var payload = TableRowFormat.ReadPayload(row);
        var state = payload.Length == 0 ? default : Deserialize<T>(payload, stateName, grainId);
        grainState.State = state ?? CreateInstance<T>();
        grainState.ETag = row.ETag.ToString();
        grainState.RecordExists = state is not null;
    }

    /// <inheritdoc/>
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var (pk, rk) = Keys(stateName, grainId);
        var payload = _serializer.Serialize(grainState.State).ToMemory();
        try
        {
            var result = await Table.WriteAsync(pk, rk, payload, grainState.ETag).ConfigureAwait(false);
            ThrowIfConflict(result, "write", stateName, grainId, grainState.ETag);
            grainState.ETag = result.ETag.ToString();
            grainState.RecordExists = true;
        }
        catch (Exception ex) when (ex is not InconsistentStateException)
        {
            LogWriteFailed(ex, _name, stateName, grainId);
            throw;
        }
    }

    /// <inheritdoc/>
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var (pk, rk) = Keys(stateName, grainId);
        try
        {
            if (_options.DeleteStateOnClear)
            {
                var result = await Table.DeleteAsync(pk, rk, grainState.ETag).ConfigureAwait(false);
                ThrowIfConflict(result, "delete", stateName, grainId, grainState.ETag);
                grainState.ETag = null;
            }
            else
            {
                // A blank row: no payload, a fresh ETag that guards the next write.
                var result = await Table.WriteAsync(pk, rk, ReadOnlyMemory<byte>.Empty, grainState.ETag).ConfigureAwait(false);
                ThrowIfConflict(result, "clear", stateName, grainId, grainState.ETag);
                grainState.ETag = result.ETag.ToString();
            }

            grainState.State = CreateInstance<T>();
            grainState.RecordExists = false;
        }
        catch (Exception ex) when (ex is not InconsistentStateException)
        {
            LogWriteFailed(ex, _name, stateName, grainId);
            throw;
        }
    }

    /// <inheritdoc/>
    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe($"{nameof(AzureTableGrainStorage)}-{_name}", _options.InitStage, InitializeAsync, _ => Task.CompletedTask);
    }

    /// <summary>Creates the table when it is missing. Runs at silo start, before grains activate.</summary>
    internal async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            await Table.InitializeAsync(cancellationToken).ConfigureAwait(false);
            LogInitialized(_name, Table.TableName, _serializer.GetType().Name, watch.ElapsedMilliseconds);
        }
        catch (Exception ex)
        {
            LogInitFailed(ex, _name, Table.TableName, watch.ElapsedMilliseconds);
            throw;
        }
    }

    private (string PartitionKey, string RowKey) Keys(string stateName, GrainId grainId) =>
        (TableKeys.PartitionKey(_serviceId, grainId), TableKeys.StateRowKey(stateName));

    private void ThrowIfConflict(TableWriteResult result, string operation, string stateName, GrainId grainId, string? eTag)
    {
        if (result.Succeeded)
        {
            return;
        }

        LogConflict(_name, operation, stateName, grainId, eTag, result.StoredETag);
        var expected = string.IsNullOrEmpty(eTag) ? "no row" : $"ETag {eTag}";
        var found = result.StoredETag is null ? "no row" : $"ETag {result.StoredETag}";
        throw new InconsistentStateException(
            $"Grain state {stateName} of {grainId} changed in storage: the {operation} expected {expected} and found {found}. Re-read the state before writing again.",
            result.StoredETag,
            eTag,
            result.Conflict);
    }

    private T? Deserialize<T>(byte[] payload, string stateName, GrainId grainId)
    {
        try
        {
            return _serializer.Deserialize<T>(new BinaryData(payload));
        }
        catch (Exception ex)
        {
            // The payload may hold PHI: it is neither logged nor put in the message.
            LogDeserializeFailed(ex, _name, stateName, grainId, payload.Length);
            throw new HuddleStorageException($"Grain state {stateName} of {grainId} ({payload.Length} bytes) could not be deserialized as {typeof(T).Name}.", ex);
        }
    }

    private T CreateInstance<T>() => _activators.GetActivator<T>().Create();

    [LoggerMessage(Level = LogLevel.Information, Message = "Grain storage {Provider}: table {TableName} ready (serializer {Serializer}) in {ElapsedMs} ms")]
    private partial void LogInitialized(string provider, string tableName, string serializer, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Grain storage {Provider}: could not create or open table {TableName} after {ElapsedMs} ms")]
    private partial void LogInitFailed(Exception ex, string provider, string tableName, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Grain storage {Provider}: {Operation} of {StateName} for {GrainId} conflicted: expected ETag {ETag}, stored {StoredETag}")]
    private partial void LogConflict(string provider, string operation, string stateName, GrainId grainId, string? eTag, string? storedETag);

    [LoggerMessage(Level = LogLevel.Error, Message = "Grain storage {Provider}: writing {StateName} for {GrainId} failed")]
    private partial void LogWriteFailed(Exception ex, string provider, string stateName, GrainId grainId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Grain storage {Provider}: {StateName} for {GrainId} ({Bytes} bytes) could not be deserialized")]
    private partial void LogDeserializeFailed(Exception ex, string provider, string stateName, GrainId grainId, int bytes);
}
