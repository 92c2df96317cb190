using System.Collections.Immutable;
using Huddle.Contracts.Audit;
using Huddle.Grains.Common;
using Microsoft.Extensions.Logging;

namespace Huddle.Grains.Audit;

/// <summary>The state row of an audit log: a hint of its next page number, nothing that grows.</summary>
[GenerateSerializer, Alias("huddle.audit-log-state")]
public sealed class AuditLogState
{
    /// <summary>At most the number of the page being filled (written every <see cref="AuditLogGrain.StateEvery"/> pages); activation reads on from here.</summary>
    [Id(0)]
    public long NextPage { get; set; }
}

/// <summary>
/// An append-only audit log (<see cref="IAuditLog"/>). Records are stored in pages of their own
/// (<see cref="IGrainHistoryStore"/>, numbered 0, 1, 2… with no gaps), never in the state row: the last
/// page is filled in place (each write replaces it with itself plus the new records) until it holds
/// <see cref="PageSize"/>, then the next begins. Calls arriving while a write is under way share the
/// next one (a group commit), so a busy log costs one storage write per burst, not per record; each
/// call returns once its records are stored, and fails when their write failed (the stored pages then
/// stay as they were: a replaced page only ever gains records).
/// </summary>
public abstract partial class AuditLogGrain(IPersistentState<AuditLogState> state, IGrainHistoryStore history, ILogger logger) : Grain, IAuditLog
{
    /// <summary>
    /// Records a page holds at most (about 5 KB). Each write of the open page rewrites it whole, so a
    /// busy log's commit serializes half a page on average beside its new records: with pages of 100 the
    /// log's appends were 5.3 % of the chat benchmark server's running samples, with pages of 20 1.7 %. Pages written
    /// when this was 100 are read as full pages (an open one of 20 or more records is closed).
    /// </summary>
    public const int PageSize = 20;

    /// <summary>The state row's hint is rewritten each time this many pages have been filled.</summary>
    public const int StateEvery = 32;

    private const string Stream = "audit";

    private List<AuditRecord> _pending = [];
    private TaskCompletionSource _written = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _writing = Task.CompletedTask;

    /// <summary>The page being filled, and what it holds (stored, unless empty).</summary>
    private long _open;
    private ImmutableArray<AuditRecord> _openRecords = [];

    /// <summary>How many pages are stored (the open one counts once it holds a record).</summary>
    private long Stored => _openRecords.IsEmpty ? _open : _open + 1;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _open = state.State.NextPage;
        // Pages are written in order without gaps, so the stored ones past the hint are the last few.
        await foreach (var page in history.ReadPagesAsync<AuditPage>(this.GetGrainId(), Stream, _open, cancellationToken: cancellationToken))
        {
            (_open, _openRecords) = page.Content.Records.Length < PageSize ? (page.Number, page.Content.Records) : (page.Number + 1, []);
        }
    }

    public async Task AppendAsync(ImmutableArray<AuditRecord> records)
    {
        if (records.IsDefaultOrEmpty)
        {
            return;
        }

        _pending.AddRange(records);
        var mine = _written.Task;
        if (_writing.IsCompleted)
        {
            _writing = WriteAsync();
        }

        await mine;
    }

    public async Task<AuditRead> ReadAsync(string userId, long? before, int maxPages)
    {
        var to = Math.Min(before ?? Stored, Stored) - 1;
        var from = Math.Max(0, to - Math.Clamp(maxPages, 1, 50) + 1);
        if (to < 0)
        {
            return new AuditRead([], null);
        }

        var pages = new List<AuditPage>();
        await foreach (var page in history.ReadPagesAsync<AuditPage>(this.GetGrainId(), Stream, from, to))
        {
            pages.Add(page.Content);
        }

        pages.Reverse();
        return new AuditRead([.. pages], from > 0 ? from : null);
    }

    private async Task WriteAsync()
    {
        while (_pending.Count > 0)
        {
            var batch = _pending;
            var done = _written;
            _pending = [];
            _written = new(TaskCreationOptions.RunContinuationsAsynchronously);
            var pages = _openRecords.Concat(batch).Chunk(PageSize)
                .Select((records, i) => new HistoryPage<AuditPage>(_open + i, new AuditPage(_open + i, [.. records])))
                .ToList();
            try
            {
                await history.WritePagesAsync(this.GetGrainId(), Stream, pages);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogWriteFailed(ex, batch.Count);
                done.SetException(ex);
                continue;
            }

            var before = _open;
            var last = pages[^1].Content;
            (_open, _openRecords) = last.Records.Length < PageSize ? (last.Number, last.Records) : (last.Number + 1, []);
            if (before / StateEvery != _open / StateEvery)
            {
                state.State.NextPage = _open;
                try
                {
                    await state.WriteStateAsync();
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // Only a hint: the pages are stored, and activation reads past an old hint.
                    LogHintFailed(ex);
                }
            }

            done.SetResult();
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (state.State.NextPage != _open)
        {
            state.State.NextPage = _open;
            try
            {
                await state.WriteStateAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogHintFailed(ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Audit write of {Count} records failed; their calls fail")]
    private partial void LogWriteFailed(Exception ex, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Audit log's page hint was not stored (the pages were)")]
    private partial void LogHintFailed(Exception ex);
}

/// <summary>Every audited call answered on one UTC day.</summary>
public sealed class DayAuditLogGrain(
    [PersistentState(StorageNames.AuditLogState, StorageNames.Huddle)] IPersistentState<AuditLogState> state,
    IGrainHistoryStore history,
    ILogger<DayAuditLogGrain> logger) : AuditLogGrain(state, history, logger), IDayAuditLogGrain;

/// <summary>The audited calls on one patient's data.</summary>
public sealed class PatientAuditLogGrain(
    [PersistentState(StorageNames.AuditLogState, StorageNames.Huddle)] IPersistentState<AuditLogState> state,
    IGrainHistoryStore history,
    ILogger<PatientAuditLogGrain> logger) : AuditLogGrain(state, history, logger), IPatientAuditLogGrain;
