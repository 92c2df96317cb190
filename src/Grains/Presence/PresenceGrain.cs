using Huddle.Contracts.Common;
using Huddle.Contracts.Presence;
using Huddle.Grains.Common;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Huddle.Grains.Presence;

/// <summary>
/// One clinician's presence across every connection on every web host. Each call first lets silent
/// connections expire (<see cref="PresenceOptions.OfflineAfter"/>), so a reader never sees someone
/// online whose host died. State is written when the status changes, never for a mere heartbeat.
/// </summary>
public sealed partial class PresenceGrain(
    [PersistentState(StorageNames.PresenceState, StorageNames.Huddle)] IPersistentState<PresenceState> state,
    HuddleClock clock,
    IOptions<PresenceOptions> options,
    ILogger<PresenceGrain> logger) : Grain, IPresenceGrain
{
    private string UserId => this.GetPrimaryKeyString();

    public Task<PresenceView> ConnectAsync(string connectionId) => ChangeAsync(p => p.Connect(connectionId, clock.UtcNow));

    public Task<PresenceView> HeartbeatAsync(string connectionId) => ChangeAsync(p => p.Connect(connectionId, clock.UtcNow));

    public Task<PresenceView> DisconnectAsync(string connectionId) => ChangeAsync(p => p.Disconnect(connectionId, clock.UtcNow));

    public async Task<Result<PresenceView>> SetStatusAsync(PresenceStatus status)
    {
        var chosen = Current().Choose(status, clock.UtcNow);
        return chosen.Error is { } error ? error : await ChangeAsync(_ => chosen.Value!);
    }

    public Task<PresenceView> GetAsync() => Task.FromResult(Current().View(UserId));

    private ClinicianPresence Current() => state.State.Presence.Expire(clock.UtcNow, options.Value.OfflineAfter);

    private async Task<PresenceView> ChangeAsync(Func<ClinicianPresence, ClinicianPresence> change)
    {
        var before = state.State.Presence;
        var after = change(Current());
        state.State.Presence = after;
        if (after.Status != before.Status || after.Chosen != before.Chosen)
        {
            try
            {
                await state.WriteStateAsync();
            }
            catch
            {
                state.State.Presence = before;
                throw;
            }

            LogChanged(UserId, after.Status);
        }

        return after.View(UserId);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Presence of {UserId} is now {Status}")]
    private partial void LogChanged(string userId, PresenceStatus status);
}
