using Huddle.Contracts.Chat;
using Huddle.Contracts.Live;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Huddle.Grains.Chat;

/// <summary>
/// The deployment's retention (<see cref="ChatOptions.Retention"/>): whole pages whose newest entry is
/// older than it leave the thread. The row records how far (<see cref="ThreadState.RemovedThrough"/>)
/// in one write, and only then are the pages deleted, so nothing is served from before the cut even if
/// a deletion fails (the next check deletes again). Reads before the cut never reset and are never
/// silent: a catch-up from before it starts with one marker change, a snapshot and a backwards read
/// carry the cut. Client ids of removed entries stay in their buckets (no text, only a hash), so a
/// resend of a removed message is still answered with its first reply and never stored again.
/// While the thread holds stored pages, a reminder (<see cref="RetentionReminder"/>) is due when the oldest
/// of them passes the retention, so a thread nobody opens again still loses its old pages on time.
/// </summary>
public sealed partial class ThreadGrain
{
    /// <summary>The reminder that wakes the thread when its oldest stored page passes the retention.</summary>
    public const string RetentionReminder = "chat-retention";

    /// <summary>The most pages one check removes (one turn stays short); a longer backlog continues at once after.</summary>
    private const int MaxPagesPerCheck = 64;

    /// <summary>How many times a read from the cut is tried when the cut keeps moving under it.</summary>
    private const int MaxCutReads = 4;

    /// <summary>
    /// The retention reminder's period: only a backstop, since each tick registers it again at the next
    /// page's expiry (a tick lost to a crash comes a day later at worst).
    /// </summary>
    private static readonly TimeSpan RetentionReminderPeriod = TimeSpan.FromDays(1);

    /// <summary>How soon a check runs again after the reminder could not be registered or removed.</summary>
    private static readonly TimeSpan RetentionRetry = TimeSpan.FromSeconds(30);

    private long _removedThrough;
    private IGrainTimer? _retainer;
    private DateTimeOffset _nextCheck = DateTimeOffset.MinValue;

    /// <summary>When the retention reminder is due, as this activation registered it (null: none); unknown until the first check.</summary>
    private (bool Known, DateTimeOffset? Due) _retentionReminder;

    private ChatOptions Options => ServiceProvider.GetService<IOptions<ChatOptions>>()?.Value ?? new ChatOptions();

    /// <summary>A reader at <paramref name="seq"/> of <paramref name="epoch"/> is before the cut: its next entries were removed.</summary>
    private bool BeforeCut(long seq, long epoch) =>
        seq < _removedThrough && (epoch == FeedPosition.AnyEpoch || epoch == Feed.Epoch);

    /// <summary>The marker a catch-up from before the cut at <paramref name="through"/> starts with: every entry up to its seq was removed.</summary>
    private ThreadChange CutMarker(long through) => new(ThreadId, through, null, RemovedThrough: through, Retention: Options.Retention);

    /// <summary>
    /// A catch-up from before the cut: the marker, then what follows the cut (one page in all). Read again
    /// from the new cut when the retention moved it while the pages were being read (a long backlog is
    /// removed in steps, each of which can cross a read).
    /// </summary>
    private async Task<FeedCatchUp> ReadPastCutAsync(string kind, long epoch, int limit)
    {
        var (through, rest) = await FromCutAsync(from => Feed.ReadSinceAsync(kind, from, epoch, Math.Max(1, FeedPage.Clamp(limit) - 1)), r => r.Reset);
        if (rest.Reset)
        {
            return rest;
        }

        var marker = new FeedChange(Feed.Feed, through, [new(FeedAudiences.Members, CutMarker(through))], null, rest.Epoch);
        return rest with { Changes = [marker, .. rest.Changes], Seq = Math.Max(rest.Seq, through) };
    }

    /// <summary>
    /// <paramref name="read"/> from the cut, and the cut it read from: again from the new cut when the
    /// retention moved it while the pages were being read and the read answered a reset.
    /// </summary>
    private async Task<(long Through, T Answer)> FromCutAsync<T>(Func<long, Task<T>> read, Func<T, bool> reset)
    {
        long through;
        T answer;
        var tries = 0;
        do
        {
            through = _removedThrough;
            answer = await read(through);
        }
        while (reset(answer) && through != _removedThrough && ++tries < MaxCutReads);

        return (through, answer);
    }

    /// <summary>Arms the retention check after <paramref name="due"/>, when a retention is set and none is armed.</summary>
    private void ArmRetention(TimeSpan due)
    {
        if (Options.Retention is null || _retainer is not null)
        {
            return;
        }

        // Not interleaving: the check writes the row, one turn like a send's.
        _retainer = this.RegisterGrainTimer(
            _ => CheckRetentionAsync(),
            new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan) { Interleave = false, KeepAlive = false });
    }

    /// <summary>One check (the timer's, or the reminder's tick), then the next one armed.</summary>
    private async Task CheckRetentionAsync()
    {
        _retainer?.Dispose();
        _retainer = null;
        var options = Options;
        if (options.Retention is null)
        {
            // The deployment turned its retention off: a reminder from before has nothing to do.
            await KeepRetentionReminderAsync(null);
            return;
        }

        try
        {
            var more = await ApplyRetentionAsync();
            // A reminder that could not be registered is a promise not yet kept: tried again soon, not in an hour.
            ArmRetention(more ? TimeSpan.Zero : _retentionReminder.Known ? options.RetentionCheckEvery : RetentionRetry);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogRetentionFailed(ex, ThreadId);
            ArmRetention(options.RetentionCheckEvery);
        }
    }

    /// <summary>
    /// After a page is stored: a check now, unless one ran within the last <see cref="ChatOptions.RetentionCheckEvery"/>
    /// (the thread's clock) and the reminder is known to be registered for an older page.
    /// </summary>
    private void ArmRetentionAfterPage()
    {
        if (Options.Retention is not null && (clock.UtcNow >= _nextCheck || _retentionReminder is not (true, not null)))
        {
            _retainer?.Dispose();
            _retainer = null;
            ArmRetention(TimeSpan.Zero);
        }
    }

    /// <summary>Removes the stored pages past the retention; true when more may be waiting (the check stopped at its bound).</summary>
    private async Task<bool> ApplyRetentionAsync()
    {
        if (Options.Retention is not { } keep)
        {
            return false;
        }

        _nextCheck = clock.UtcNow + Options.RetentionCheckEvery;
        var cutoff = clock.UtcNow - keep;
        var through = _removedThrough;
        var checkedPages = 0;
        DateTimeOffset? nextDue = null;
        // Oldest page first, while its newest entry is past the retention; only stored pages go.
        while (through + PageSize <= _written && checkedPages < MaxPagesPerCheck)
        {
            var last = await LastAtAsync(through + PageSize);
            if (last is null || last >= cutoff)
            {
                // The oldest page that stays: the reminder wakes the thread when it expires (a page that
                // cannot be read is looked at again after the usual interval).
                nextDue = last is { } at ? at + keep : clock.UtcNow + Options.RetentionCheckEvery;
                break;
            }

            through += PageSize;
            checkedPages++;
        }

        if (through > _removedThrough)
        {
            var (tailBefore, removedBefore) = (state.State.Tail, state.State.RemovedThrough);
            (state.State.Tail, state.State.RemovedThrough, state.State.Written) = (tailBefore.RemoveAll(m => m.Seq <= through), through, _written);
            await PersistAsync(() => (state.State.Tail, state.State.RemovedThrough) = (tailBefore, removedBefore));
            _removedThrough = through;
            LogRetained(ThreadId, through);
        }

        if (_removedThrough > 0)
        {
            // Again at every check (deleting what is gone is no error): a deletion cut short is finished later.
            await history.DeletePagesAsync(this.GetGrainId(), MessagesStream, 0, (_removedThrough / PageSize) - 1);
            await history.DeletePagesAsync(this.GetGrainId(), AmendsStream, 0, _removedThrough);
        }

        if (checkedPages == MaxPagesPerCheck)
        {
            // More may be past the retention: the timer goes on at once, and the reminder stays as it is.
            return true;
        }

        await KeepRetentionReminderAsync(nextDue);
        return false;
    }

    /// <summary>
    /// Keeps the retention reminder due at <paramref name="due"/> (the oldest stored page's expiry), or removes
    /// it when no stored page is left; registered only when that changes. A failure is logged and leaves it
    /// unknown, so the check runs again in <see cref="RetentionRetry"/> and registers it then.
    /// </summary>
    private async Task KeepRetentionReminderAsync(DateTimeOffset? due)
    {
        if (_retentionReminder == (true, due))
        {
            return;
        }

        try
        {
            if (due is { } at)
            {
                // Reminders run on the silo's wall clock; the wait is measured on the thread's.
                var wait = at - clock.UtcNow;
                await this.RegisterOrUpdateReminder(RetentionReminder, wait > TimeSpan.FromMinutes(1) ? wait : TimeSpan.FromMinutes(1), RetentionReminderPeriod);
            }
            else if (await this.GetReminder(RetentionReminder) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }

            _retentionReminder = (true, due);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _retentionReminder = default;
            LogRetentionReminderFailed(ex, ThreadId);
        }
    }

    /// <summary>When the entry at <paramref name="seq"/> was stored: from the row, or from its page.</summary>
    private async Task<DateTimeOffset?> LastAtAsync(long seq)
    {
        if (_stored.Tail.FirstOrDefault(m => m.Seq == seq) is { } held)
        {
            return held.At;
        }

        var page = (seq - 1) / PageSize;
        await foreach (var stored in history.ReadPagesAsync<MessagePage>(this.GetGrainId(), MessagesStream, page, page))
        {
            return stored.Content.Messages.LastOrDefault(m => m.Seq == seq)?.At;
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Thread {ThreadId} removed its entries through seq {Through}: past the retention")]
    private partial void LogRetained(string threadId, long through);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Thread {ThreadId} could not apply the retention; trying again later")]
    private partial void LogRetentionFailed(Exception ex, string threadId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Thread {ThreadId}: the retention reminder could not be registered or removed; the next check tries again")]
    private partial void LogRetentionReminderFailed(Exception ex, string threadId);
}
