using Huddle.Contracts.Common;
using Huddle.Contracts.Smart;
using Huddle.Grains.Common;

namespace Huddle.Grains.Smart;

/// <summary>
/// A SMART launch in progress (<see cref="ISmartLaunchGrain"/>): in memory, taken once, gone when it
/// expires (ten minutes at most, the launch endpoint's choice). Nothing durable: a launch lost with its
/// silo is simply started again from the EHR.
/// </summary>
public sealed class SmartLaunchGrain(HuddleClock clock) : Grain, ISmartLaunchGrain
{
    private SmartLaunchRecord? _record;

    public Task SaveAsync(SmartLaunchRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        _record = record;
        // Kept in memory until taken or expired: the grain must not be collected before then.
        DelayDeactivation(record.ExpiresAt - clock.UtcNow + TimeSpan.FromSeconds(5));
        return Task.CompletedTask;
    }

    public Task<SmartLaunchRecord?> TakeAsync()
    {
        var record = _record;
        _record = null;
        DeactivateOnIdle();
        return Task.FromResult(record is not null && record.ExpiresAt > clock.UtcNow ? record : null);
    }
}

[GenerateSerializer, Alias("huddle.widget-session-state")]
public sealed class WidgetSessionState
{
    [Id(0)]
    public WidgetSession? Session { get; set; }

    [Id(1)]
    public bool Ended { get; set; }
}

/// <summary>
/// One widget session (<see cref="IWidgetSessionGrain"/>). The row is one session record, bounded by
/// its fields (a patient, the patient's teams, five colours); it is written at start and at its end,
/// and removed by a reminder once the session has expired, so rows do not pile up with launches.
/// </summary>
public sealed class WidgetSessionGrain(
    [PersistentState(StorageNames.WidgetSessionState, StorageNames.Huddle)] IPersistentState<WidgetSessionState> state,
    HuddleClock clock) : Grain, IWidgetSessionGrain, IRemindable
{
    private const string Expiry = "expiry";

    public async Task<bool> StartAsync(WidgetSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (state.State.Session is not null || state.State.Ended)
        {
            return false;
        }

        state.State.Session = session;
        await state.WriteStateAsync();
        // Orleans' reminders tick at least a minute apart; the first tick after expiry removes the row.
        var due = session.ExpiresAt - clock.UtcNow;
        await this.RegisterOrUpdateReminder(Expiry, due < TimeSpan.FromMinutes(1) ? TimeSpan.FromMinutes(1) : due, TimeSpan.FromHours(1));
        return true;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (state.State.Session is { } session && session.ExpiresAt > clock.UtcNow && !state.State.Ended)
        {
            return;
        }

        await state.ClearStateAsync();
        if (await this.GetReminder(Expiry) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    public Task<WidgetSession?> GetAsync() =>
        Task.FromResult(state.State is { Ended: false, Session: { } session } && session.ExpiresAt > clock.UtcNow ? session : null);

    public async Task EndAsync()
    {
        if (state.State.Ended || state.State.Session is null)
        {
            return;
        }

        // Kept as ended (not cleared) until the reminder removes it, so the handle cannot start again.
        state.State.Ended = true;
        await state.WriteStateAsync();
    }
}

/// <summary>A handle left for a frame by a sign-in completed in a new window (<see cref="IWidgetPickupGrain"/>): in memory, taken once.</summary>
public sealed class WidgetPickupGrain : Grain, IWidgetPickupGrain
{
    private static readonly TimeSpan Kept = TimeSpan.FromMinutes(10);

    private string? _handle;

    public Task LeaveAsync(string handle)
    {
        _handle = handle;
        DelayDeactivation(Kept);
        return Task.CompletedTask;
    }

    public Task<string?> TakeAsync()
    {
        var handle = _handle;
        _handle = null;
        if (handle is not null)
        {
            DeactivateOnIdle();
        }

        return Task.FromResult(handle);
    }
}
