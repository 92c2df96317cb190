using System.Collections.Immutable;
using Huddle.Contracts.Common;
using Huddle.Contracts.Presence;
using Huddle.Contracts.Push;
using Huddle.Grains.Common;
using Microsoft.Extensions.Logging;

namespace Huddle.Grains.Push;

/// <summary>
/// A clinician's push devices and the notices on their way to them (<see cref="IPushDevicesGrain"/>).
/// A notice is stored (one write) before <see cref="NotifyAsync"/> returns, then handed to the silo's
/// <see cref="PushDispatcher"/>; the outcome comes back through <see cref="ReportAsync"/>. While a notice
/// is pending a reminder (every minute) hands it over again, so a notice survives a crash of the silo
/// and a push service that is down, until it expires (<see cref="PushNotice.Until"/>).
/// </summary>
public sealed partial class PushDevicesGrain(
    [PersistentState(StorageNames.PushDevicesState, StorageNames.Huddle)] IPersistentState<PushDevicesState> state,
    PushDispatcher dispatcher,
    HuddleClock clock,
    ILogger<PushDevicesGrain> logger) : Grain, IPushDevicesGrain, IPushDeliveries, IRemindable
{
    private const string Reminder = "push";

    /// <summary>
    /// A hand-over not reported back within this is taken as lost (its report failed): the next reminder
    /// hands the notice over again. Longer than the dispatcher's tries take (3 × 10 s, plus 1 s and 2 s).
    /// </summary>
    private static readonly TimeSpan HandOverLost = TimeSpan.FromMinutes(2);

    /// <summary>Notices handed to the dispatcher and not yet reported back, with when (not stored: a new activation hands them over again).</summary>
    private readonly Dictionary<string, long> _inFlight = new(StringComparer.Ordinal);

    private VapidKeys? _keys;
    private bool _reminderOn;

    /// <summary>Retries a reminder registration that failed while notices are pending (kept alive: nothing else would wake the grain).</summary>
    private IGrainTimer? _keepRetry;
    private TimeSpan _keepBackoff;

    private static readonly HuddleError NotStored = new(ErrorCodes.Unavailable, "Your devices could not be stored right now; try again shortly.");

    private string UserId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Pending.IsEmpty)
        {
            return;
        }

        // Notices left pending by an earlier activation (a crash, a failed registration): the reminder is
        // registered again (idempotent) and they are handed over now, not at its next tick. A failure
        // here is retried by KeepReminderAsync's own timer, so activation itself never fails for it.
        try
        {
            await KeepReminderAsync();
            await HandOverAsync();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogReminderFailed(ex, UserId);
        }
    }

    public async Task<Result<PushDeviceView>> SubscribeAsync(PushSubscriptionInput input)
    {
        if (PushSubscriptions.Validate(input) is { } invalid)
        {
            return invalid;
        }

        var now = clock.UtcNow;
        var name = string.IsNullOrWhiteSpace(input.Name) ? "Device" : input.Name.Trim();
        var device = new PushDevice(input.DeviceId, name, input.Endpoint, input.Keys, now, null, null);
        var others = state.State.Devices.Where(d => d.DeviceId != input.DeviceId && d.Endpoint != input.Endpoint)
            .OrderByDescending(d => d.LastSentAt ?? d.AddedAt)
            .Take(PushLimits.MaxDevices - 1);
        var (before, pending) = (state.State.Devices, state.State.Pending);
        state.State.Devices = [device, .. others];
        // A device replaced or dropped takes nothing more that was pending for it.
        foreach (var gone in before.Where(d => d.DeviceId != device.DeviceId && !state.State.Devices.Contains(d)))
        {
            state.State.Pending = WithoutDevice(state.State.Pending, gone.DeviceId);
        }

        if (!await TryWriteAsync(() => (state.State.Devices, state.State.Pending) = (before, pending)))
        {
            return NotStored;
        }

        LogSubscribed(UserId, device.DeviceId, device.View().PushService);
        return device.View();
    }

    public async Task<Result<PushDeviceView>> RenameAsync(string deviceId, string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Trim().Length > PushLimits.MaxNameLength)
        {
            return HuddleError.Invalid($"A device's name is 1-{PushLimits.MaxNameLength} characters.");
        }

        if (state.State.Devices.FirstOrDefault(d => d.DeviceId == deviceId) is not { } device)
        {
            return HuddleError.NotFound("A device", deviceId ?? "");
        }

        var before = state.State.Devices;
        var renamed = device with { Name = name.Trim() };
        state.State.Devices = state.State.Devices.Replace(device, renamed);
        return await TryWriteAsync(() => state.State.Devices = before) ? renamed.View() : NotStored;
    }

    public async Task<Result<bool>> RemoveAsync(string deviceId)
    {
        if (state.State.Devices.FirstOrDefault(d => d.DeviceId == deviceId) is not { } device)
        {
            return false;
        }

        var (devices, pending) = (state.State.Devices, state.State.Pending);
        state.State.Devices = devices.Remove(device);
        state.State.Pending = WithoutDevice(pending, deviceId);
        if (!await TryWriteAsync(() => (state.State.Devices, state.State.Pending) = (devices, pending)))
        {
            return NotStored;
        }

        LogRemoved(UserId, deviceId, "asked");
        await KeepReminderAsync();
        return true;
    }

    public Task<PushDeviceList> ListAsync() =>
        Task.FromResult(new PushDeviceList([.. state.State.Devices.OrderByDescending(d => d.AddedAt).Select(d => d.View())]));

    public async Task NotifyAsync(PushNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var s = state.State;
        if (s.Devices.IsEmpty)
        {
            return;
        }

        if (s.Taken.Contains(notice.NoticeId) || s.Pending.Any(p => p.Notice.NoticeId == notice.NoticeId))
        {
            // Told again (the first call's reply was lost, or its reminder's registration failed after the
            // write): stored already, so only what the first call promised is made sure of.
            await KeepReminderAsync();
            await HandOverAsync();
            return;
        }

        var presence = await GrainFactory.Grain<IPresenceGrain>(UserId).GetAsync();
        if (presence.Status == PresenceStatus.DoNotDisturb || presence.Chosen == PresenceStatus.DoNotDisturb)
        {
            LogQuiet(UserId, notice.NoticeId);
            return;
        }

        var (pending, taken) = (s.Pending, s.Taken);
        // A newer notice of the same subject (the next escalation step) replaces one still pending.
        var kept = pending.Where(p => p.Notice.Tag != notice.Tag).TakeLast(PushLimits.MaxPending - 1);
        s.Pending = [.. kept, new PendingPush(notice, [.. s.Devices.Select(d => d.DeviceId)])];
        s.Taken = [.. taken.Append(notice.NoticeId).TakeLast(PushDevicesState.MaxTaken)];
        // The reminder before the write is answered: a crash after the write must find it registered.
        var write = TryWriteAsync(() => (s.Pending, s.Taken) = (pending, taken));
        var armed = KeepReminderAsync();
        if (!await write)
        {
            // Nothing pending was stored: a reminder registered meanwhile finds nothing and removes itself.
            await Task.WhenAny(armed);
            throw new InvalidOperationException("The push notice could not be stored.");
        }

        await armed;
        await HandOverAsync();
    }

    public async Task ReportAsync(string noticeId, ImmutableArray<PushAttempt> attempts)
    {
        _inFlight.Remove(noticeId);
        var s = state.State;
        var (devices, pending) = (s.Devices, s.Pending);
        foreach (var attempt in attempts)
        {
            if (s.Devices.FirstOrDefault(d => d.DeviceId == attempt.DeviceId) is not { } device)
            {
                continue;
            }

            switch (attempt.Outcome)
            {
                case PushSendOutcome.Delivered:
                    s.Devices = s.Devices.Replace(device, device with { LastSentAt = attempt.At, LastError = null });
                    s.Pending = Taken(s.Pending, noticeId, attempt.DeviceId);
                    break;
                case PushSendOutcome.Gone:
                    // RFC 8030 §7.3: the subscription expired or was withdrawn; it will never take a message again.
                    s.Devices = s.Devices.Remove(device);
                    s.Pending = WithoutDevice(s.Pending, attempt.DeviceId);
                    LogRemoved(UserId, attempt.DeviceId, "push service answered gone");
                    break;
                case PushSendOutcome.Rejected:
                    s.Devices = s.Devices.Replace(device, device with { LastError = attempt.Error });
                    s.Pending = Taken(s.Pending, noticeId, attempt.DeviceId);
                    break;
                default:
                    // Still pending for this device: the reminder tries again until the notice expires.
                    s.Devices = s.Devices.Replace(device, device with { LastError = attempt.Error });
                    break;
            }
        }

        if (!await TryWriteAsync(() => (s.Devices, s.Pending) = (devices, pending)))
        {
            return;
        }

        await KeepReminderAsync();
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        _reminderOn = true;
        var s = state.State;
        var now = clock.UtcNow;
        var pending = s.Pending;
        s.Pending = [.. pending.Where(p => p.Notice.Until > now && !p.DeviceIds.IsEmpty)];
        if (s.Pending.Length != pending.Length)
        {
            foreach (var expired in pending.Except(s.Pending))
            {
                LogExpired(UserId, expired.Notice.NoticeId, expired.DeviceIds.Length);
            }

            if (!await TryWriteAsync(() => s.Pending = pending))
            {
                return;
            }
        }

        await HandOverAsync();
        await KeepReminderAsync();
    }

    /// <summary>Hands every pending notice not already on its way to the dispatcher.</summary>
    private async Task HandOverAsync()
    {
        var keys = _keys ??= await GrainFactory.Grain<IPushKeysGrain>(IPushKeysGrain.Key).GetAsync();
        foreach (var pending in state.State.Pending)
        {
            var devices = state.State.Devices.Where(d => pending.DeviceIds.Contains(d.DeviceId)).ToImmutableArray();
            if (devices.IsEmpty || (_inFlight.TryGetValue(pending.Notice.NoticeId, out var since)
                && TimeSpan.FromMilliseconds(Environment.TickCount64 - since) < HandOverLost))
            {
                continue;
            }

            _inFlight[pending.Notice.NoticeId] = Environment.TickCount64;
            dispatcher.Dispatch(UserId, pending.Notice, devices, keys);
        }
    }

    /// <summary>
    /// Registers the reminder while something is pending, and removes it once nothing is. A registration
    /// that fails while notices are pending is a promise not yet kept: it throws to the caller and is
    /// also tried again on a timer (10 s, doubling to 1 min) until it holds, then what is pending is handed
    /// over. A removal that fails is only logged: a reminder left over finds nothing and removes itself.
    /// </summary>
    private async Task KeepReminderAsync()
    {
        try
        {
            if (!state.State.Pending.IsEmpty && !_reminderOn)
            {
                try
                {
                    await this.RegisterOrUpdateReminder(Reminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    _keepBackoff = _keepBackoff == TimeSpan.Zero ? TimeSpan.FromSeconds(10) : TimeSpan.FromTicks(Math.Min(_keepBackoff.Ticks * 2, TimeSpan.FromMinutes(1).Ticks));
                    _keepRetry?.Dispose();
                    _keepRetry = this.RegisterGrainTimer(KeepAgainAsync, new GrainTimerCreationOptions(_keepBackoff, Timeout.InfiniteTimeSpan) { Interleave = false, KeepAlive = true });
                    throw;
                }

                _reminderOn = true;
                _keepBackoff = TimeSpan.Zero;
                _keepRetry?.Dispose();
                _keepRetry = null;
            }
            else if (state.State.Pending.IsEmpty && _reminderOn && await this.GetReminder(Reminder) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
                _reminderOn = false;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException && state.State.Pending.IsEmpty)
        {
            // Only the removal may fail quietly: a reminder left over finds nothing pending and removes itself.
            LogReminderFailed(ex, UserId);
        }
    }

    /// <summary>The retry timer's turn: the reminder again, then the hand-over of what is pending.</summary>
    private async Task KeepAgainAsync(CancellationToken cancellationToken)
    {
        try
        {
            await KeepReminderAsync();
            await HandOverAsync();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A failed registration has scheduled the next try; a failed hand-over is the reminder's, now registered.
            LogReminderFailed(ex, UserId);
        }
    }

    private async Task<bool> TryWriteAsync(Action undo)
    {
        try
        {
            await state.WriteStateAsync();
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            undo();
            LogWriteFailed(ex, UserId);
            DeactivateOnIdle();
            return false;
        }
    }

    private static ImmutableArray<PendingPush> Taken(ImmutableArray<PendingPush> pending, string noticeId, string deviceId) =>
        [.. pending.Select(p => p.Notice.NoticeId == noticeId ? p with { DeviceIds = p.DeviceIds.Remove(deviceId) } : p).Where(p => !p.DeviceIds.IsEmpty)];

    private static ImmutableArray<PendingPush> WithoutDevice(ImmutableArray<PendingPush> pending, string deviceId) =>
        [.. pending.Select(p => p with { DeviceIds = p.DeviceIds.Remove(deviceId) }).Where(p => !p.DeviceIds.IsEmpty)];

    [LoggerMessage(Level = LogLevel.Information, Message = "Push device {DeviceId} of {UserId} subscribed at {PushService}")]
    private partial void LogSubscribed(string userId, string deviceId, string pushService);

    [LoggerMessage(Level = LogLevel.Information, Message = "Push device {DeviceId} of {UserId} removed: {Why}")]
    private partial void LogRemoved(string userId, string deviceId, string why);

    [LoggerMessage(Level = LogLevel.Information, Message = "Push notice {NoticeId} not sent to {UserId}: do not disturb")]
    private partial void LogQuiet(string userId, string noticeId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Push notice {NoticeId} of {UserId} expired with {Devices} device(s) still to take it")]
    private partial void LogExpired(string userId, string noticeId, int devices);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The push devices of {UserId} could not be stored")]
    private partial void LogWriteFailed(Exception ex, string userId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The push reminder of {UserId} could not be kept or removed; a reminder left over removes itself")]
    private partial void LogReminderFailed(Exception ex, string userId);
}
