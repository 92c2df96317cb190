using System.Net;
using Azure;
using Azure.Core;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;

namespace Huddle.Silo.Storage;

/// <summary>The outcome of a conditional write or delete: done (with the row's new ETag), or a conflict.</summary>
internal readonly record struct TableWriteResult(bool Succeeded, ETag ETag, string? StoredETag, RequestFailedException? Conflict);

/// <summary>
/// The one Azure table behind Huddle's grain storage and history pages: its client, bounded
/// timeouts, conditional writes that survive a lost reply, and the mapping of outages to
/// <see cref="GrainStorageUnavailableException"/>.
/// </summary>
/// <remarks>
/// Ambiguous writes: every write stores a fresh <c>WriteId</c>. When the SDK retries a write whose
/// first attempt committed but whose reply was lost, the retry meets its own row and fails (412 for
/// a replace: the ETag moved; 409 for an insert: the row exists). On 409/412 the row is read back:
/// if it carries this write's id the write did happen and succeeds with the row's ETag; otherwise
/// somebody else wrote and it is a real conflict.
/// </remarks>
internal sealed partial class HuddleTable
{
    private readonly HuddleTableStorageOptions _options;
    private readonly TableClient _client;
    private readonly ILogger _logger;

    public HuddleTable(HuddleTableStorageOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw new InvalidOperationException("Azure Table grain storage needs a connection string (ConnectionStrings:HuddleStorage).");
        }

        if (!System.Text.RegularExpressions.Regex.IsMatch(options.TableName, "^[A-Za-z][A-Za-z0-9]{2,62}$"))
        {
            throw new InvalidOperationException($"Table name '{options.TableName}' is not valid in Azure: 3-63 letters and digits, starting with a letter.");
        }

        _options = options;
        _logger = logger;
        _client = new TableClient(options.ConnectionString, options.TableName, CreateClientOptions(options));
    }

    /// <summary>The table's name.</summary>
    public string TableName => _options.TableName;

    /// <summary>Creates the table when it is missing.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken) =>
        RunAsync("create table", async ct => await _client.CreateIfNotExistsAsync(ct).ConfigureAwait(false), cancellationToken);

    /// <summary>The row, or null when there is none.</summary>
    public Task<TableEntity?> ReadAsync(string partitionKey, string rowKey, CancellationToken cancellationToken = default) =>
        RunAsync("read", ct => ReadCoreAsync(partitionKey, rowKey, ct), cancellationToken);

    /// <summary>
    /// Writes <paramref name="payload"/> to the row if it still has <paramref name="eTag"/> (null:
    /// only if there is no row yet).
    /// </summary>
    public Task<TableWriteResult> WriteAsync(string partitionKey, string rowKey, ReadOnlyMemory<byte> payload, string? eTag, CancellationToken cancellationToken = default)
    {
        var writeId = Guid.NewGuid();
        var entity = TableRowFormat.Build(partitionKey, rowKey, payload, writeId);
        return RunAsync("write", async ct =>
        {
            try
            {
                var response = string.IsNullOrEmpty(eTag)
                    ? await _client.AddEntityAsync(entity, ct).ConfigureAwait(false)
                    : await _client.UpdateEntityAsync(entity, new ETag(eTag), TableUpdateMode.Replace, ct).ConfigureAwait(false);
                return new TableWriteResult(true, response.Headers.ETag ?? default, null, null);
            }
            catch (RequestFailedException ex) when (ex.Status is (int)HttpStatusCode.Conflict or (int)HttpStatusCode.PreconditionFailed)
            {
                // Possibly our own write, committed on an attempt whose reply was lost.
                var stored = await ReadCoreAsync(partitionKey, rowKey, ct).ConfigureAwait(false);
                if (stored is not null && TableRowFormat.WriteIdOf(stored) == writeId)
                {
                    LogAmbiguousWriteConfirmed(_options.TableName, ex.Status);
                    return new TableWriteResult(true, stored.ETag, null, null);
                }

                return new TableWriteResult(false, default, stored?.ETag.ToString(), ex);
            }
            catch (RequestFailedException ex) when (ex.Status == (int)HttpStatusCode.NotFound && !string.IsNullOrEmpty(eTag))
            {
                // Replace of a row that someone deleted since we read it.
                return new TableWriteResult(false, default, null, ex);
            }
        }, cancellationToken);
    }

    /// <summary>Writes the row whatever it holds (history pages: one writer, idempotent by page).</summary>
    public Task<ETag> UpsertAsync(string partitionKey, string rowKey, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        var entity = TableRowFormat.Build(partitionKey, rowKey, payload, Guid.NewGuid());
        return RunAsync("upsert", async ct =>
        {
            var response = await _client.UpsertEntityAsync(entity, TableUpdateMode.Replace, ct).ConfigureAwait(false);
            return response.Headers.ETag ?? default;
        }, cancellationToken);
    }

    /// <summary>
    /// Deletes the row if it still has <paramref name="eTag"/>. With no ETag it only checks that
    /// there is no row. A row already gone counts as deleted (a retried delete meets exactly that).
    /// </summary>
    public Task<TableWriteResult> DeleteAsync(string partitionKey, string rowKey, string? eTag, CancellationToken cancellationToken = default) =>
        RunAsync("delete", async ct =>
        {
            if (string.IsNullOrEmpty(eTag))
            {
                var existing = await ReadCoreAsync(partitionKey, rowKey, ct).ConfigureAwait(false);
                return existing is null
                    ? new TableWriteResult(true, default, null, null)
                    : new TableWriteResult(false, default, existing.ETag.ToString(), null);
            }

            try
            {
                await _client.DeleteEntityAsync(partitionKey, rowKey, new ETag(eTag), ct).ConfigureAwait(false);
                return new TableWriteResult(true, default, null, null);
            }
            catch (RequestFailedException ex) when (ex.Status == (int)HttpStatusCode.NotFound)
            {
                return new TableWriteResult(true, default, null, null);
            }
            catch (RequestFailedException ex) when (ex.Status == (int)HttpStatusCode.PreconditionFailed)
            {
                var stored = await ReadCoreAsync(partitionKey, rowKey, ct).ConfigureAwait(false);
                return new TableWriteResult(false, default, stored?.ETag.ToString(), ex);
            }
        }, cancellationToken);

    /// <summary>Deletes the row whatever it holds; true when there was one.</summary>
    public Task<bool> DeleteUnconditionallyAsync(string partitionKey, string rowKey, CancellationToken cancellationToken = default) =>
        RunAsync("delete", async ct =>
        {
            try
            {
                var response = await _client.DeleteEntityAsync(partitionKey, rowKey, ETag.All, ct).ConfigureAwait(false);
                return response.Status != (int)HttpStatusCode.NotFound;
            }
            catch (RequestFailedException ex) when (ex.Status == (int)HttpStatusCode.NotFound)
            {
                return false;
            }
        }, cancellationToken);

    /// <summary>The rows of one partition whose row keys lie in [<paramref name="fromRowKey"/>, <paramref name="toRowKey"/>], in key order.</summary>
    public async IAsyncEnumerable<TableEntity> QueryAsync(
        string partitionKey,
        string fromRowKey,
        string toRowKey,
        IEnumerable<string>? select,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and RowKey ge {fromRowKey} and RowKey le {toRowKey}");
        string? continuation = null;
        do
        {
            // One bounded call per page of results, so a long scan is not cut by one deadline.
            var page = await RunAsync("query", async ct =>
            {
                await foreach (var p in _client.QueryAsync<TableEntity>(filter, maxPerPage: 100, select: select, cancellationToken: ct).AsPages(continuation, 100).WithCancellation(ct).ConfigureAwait(false))
                {
                    return p;
                }

                return null;
            }, cancellationToken).ConfigureAwait(false);
            if (page is null)
            {
                yield break;
            }

            foreach (var entity in page.Values)
            {
                yield return entity;
            }

            continuation = page.ContinuationToken;
        }
        while (continuation is not null);
    }

    private async Task<TableEntity?> ReadCoreAsync(string partitionKey, string rowKey, CancellationToken ct)
    {
        var response = await _client.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, cancellationToken: ct).ConfigureAwait(false);
        return response.HasValue ? response.Value : null;
    }

    /// <summary>
    /// Runs one storage operation under <see cref="HuddleTableStorageOptions.OperationTimeout"/>
    /// and turns "storage is not there" into <see cref="GrainStorageUnavailableException"/>.
    /// </summary>
    private async Task<T> RunAsync<T>(string operation, Func<CancellationToken, Task<T>> body, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.OperationTimeout);
        try
        {
            try
            {
                return await body(deadline.Token).ConfigureAwait(false);
            }
            catch (RequestFailedException ex) when (ex.ErrorCode == Azure.Data.Tables.Models.TableErrorCode.TableNotFound.ToString())
            {
                // The table went away under a running silo (deleted, or an emulator restarted
                // empty). Make it again, as silo start would, so the service recovers without a
                // restart; the grain's own ETag still tells it that its row is gone.
                LogTableRecreated(_options.TableName, operation);
                try
                {
                    await _client.CreateIfNotExistsAsync(deadline.Token).ConfigureAwait(false);
                }
                catch (RequestFailedException created) when (created.ErrorCode == Azure.Data.Tables.Models.TableErrorCode.TableBeingDeleted.ToString())
                {
                    // Azure keeps a deleted table's name for a while; later calls will succeed.
                    throw new GrainStorageUnavailableException(
                        $"Grain storage (Azure table '{_options.TableName}') is being deleted by Azure and cannot be created again yet. Later calls try again.", created);
                }

                return await body(deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Our deadline, or the SDK's network timeout on its last attempt.
            LogUnavailable(ex, _options.TableName, operation);
            throw new GrainStorageUnavailableException(
                $"Grain storage (Azure table '{_options.TableName}') did not complete a {operation} within {_options.OperationTimeout.TotalSeconds:0.#} s; its outcome is unknown. Later calls try storage again.", ex);
        }
        catch (AggregateException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The SDK's retry policy gave up after transport failures.
            LogUnavailable(ex, _options.TableName, operation);
            throw new GrainStorageUnavailableException(
                $"Grain storage (Azure table '{_options.TableName}') is unreachable: a {operation} failed after {_options.MaxRetries + 1} attempts ({ex.InnerExceptions.LastOrDefault()?.Message}). Later calls try storage again.", ex);
        }
        catch (RequestFailedException ex) when (IsUnavailable(ex))
        {
            LogUnavailable(ex, _options.TableName, operation);
            throw new GrainStorageUnavailableException(
                $"Grain storage (Azure table '{_options.TableName}') is unavailable: a {operation} failed with HTTP {ex.Status} {ex.ErrorCode} after retries. Later calls try storage again.", ex);
        }
    }

    private static bool IsUnavailable(RequestFailedException ex) =>
        ex.Status is 0 or 408 or 429 or 500 or 502 or 503 or 504;

    private static TableClientOptions CreateClientOptions(HuddleTableStorageOptions options)
    {
        var client = new TableClientOptions();
        client.Retry.Mode = RetryMode.Exponential;
        client.Retry.MaxRetries = options.MaxRetries;
        client.Retry.Delay = options.RetryDelay;
        client.Retry.MaxDelay = options.MaxRetryDelay;
        client.Retry.NetworkTimeout = options.NetworkTimeout;
        options.ConfigureClient?.Invoke(client);
        return client;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Table {TableName}: a write met HTTP {Status} on retry but the row carries its write id; the earlier attempt had committed")]
    private partial void LogAmbiguousWriteConfirmed(string tableName, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Table {TableName} was missing during a {Operation}; created it again")]
    private partial void LogTableRecreated(string tableName, string operation);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Table {TableName}: {Operation} failed, storage unavailable")]
    private partial void LogUnavailable(Exception ex, string tableName, string operation);
}
