using Huddle.Contracts.Common;
using Huddle.Contracts.Smart;
using Huddle.Grains.Common;

namespace Huddle.Grains.Smart;

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
