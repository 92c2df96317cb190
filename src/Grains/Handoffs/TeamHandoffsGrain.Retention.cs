using Microsoft.Extensions.Logging;

namespace Huddle.Grains.Handoffs;

/// <summary>
/// The deployment's retention of handoff outcomes (<see cref="HandoffOptions.OutcomeRetention"/>): a day
/// page older than it is deleted. The check runs after the activation's first page write (off the
/// caller's turn, on a timer) and then daily on a reminder (<see cref="RetentionReminder"/>), so a team
/// that stops working still loses its old pages on time (a day late at worst). Nothing in the row
/// records it: a check deletes every page before the cut (a range query of keys and its deletes), and
/// deleting what is gone is no error.
/// </summary>
public sealed partial class TeamHandoffsGrain
{
    /// <summary>The reminder that runs the retention check daily.</summary>
    public const string RetentionReminder = "outcome-retention";

    private static readonly TimeSpan RetentionPeriod = TimeSpan.FromDays(1);

    /// <summary>How soon a check runs again after it failed (storage, or the reminder's registration).</summary>
    private static readonly TimeSpan RetentionRetry = TimeSpan.FromMinutes(1);

    private IGrainTimer? _retainer;

    /// <summary>This activation registered the reminder (or found the retention off and removed it).</summary>
    private bool _retentionKnown;

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == RetentionReminder)
        {
            await CheckOutcomeRetentionAsync();
        }
    }

    /// <summary>After a page write: the check once per activation, on a timer, never in the writer's turn.</summary>
    private void ArmOutcomeRetention()
    {
        if (!_retentionKnown)
        {
            ArmRetentionTimer(TimeSpan.Zero);
        }
    }

    /// <summary>A check after <paramref name="due"/>, unless the retention is off or one is armed already.</summary>
    private void ArmRetentionTimer(TimeSpan due)
    {
        if (handoffOptions.Value.OutcomeRetention is null || _retainer is not null)
        {
            return;
        }

        _retainer = this.RegisterGrainTimer(
            _ => CheckOutcomeRetentionAsync(),
            // Kept alive until it fires while the reminder is not registered yet: a retry that an idle
            // activation's collection dropped would leave the pages with no check until the next write.
            new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan) { Interleave = false, KeepAlive = !_retentionKnown });
    }

    /// <summary>Deletes the day pages past the retention, and keeps the daily reminder (or removes it when the retention is off).</summary>
    private async Task CheckOutcomeRetentionAsync()
    {
        _retainer?.Dispose();
        _retainer = null;
        try
        {
            if (handoffOptions.Value.OutcomeRetention is not { } keep)
            {
                if (await this.GetReminder(RetentionReminder) is { } stale)
                {
                    await this.UnregisterReminder(stale);
                }

                _retentionKnown = true;
                return;
            }

            // Pages are numbered by the team's day when written; a day of slack covers a time zone changed since.
            var today = DayOf(await Team.GetAsync(), clock.UtcNow);
            var before = today - (int)Math.Ceiling(keep.TotalDays) - 1;
            await history.DeletePagesAsync(this.GetGrainId(), OutcomesStream, 0, before - 1);
            foreach (var day in _pages.Keys.Where(d => d < before).ToList())
            {
                _pages.Remove(day);
            }

            if (!_retentionKnown)
            {
                await this.RegisterOrUpdateReminder(RetentionReminder, RetentionPeriod, RetentionPeriod);
                _retentionKnown = true;
            }

            LogOutcomesRetained(Key, DateOnly.FromDayNumber(before));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Again in a minute while this activation lives (the daily reminder's tick also tries again).
            LogRetentionFailed(ex, Key);
            ArmRetentionTimer(RetentionRetry);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Handoff desk {TeamId}: outcomes of days before {Day} removed (past the retention)")]
    private partial void LogOutcomesRetained(string teamId, DateOnly day);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handoff desk {TeamId} could not apply the outcome retention; trying again in a minute")]
    private partial void LogRetentionFailed(Exception ex, string teamId);
}
