using Huddle.Contracts.Common;
using Huddle.Contracts.Presence;
using Huddle.Contracts.Users;
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
            await TellTeamsAsync(after.View(UserId));
        }

        return after.View(UserId);
    }

    /// <summary>
    /// Every team roster of this clinician shows the new presence. A failure is logged, not thrown:
    /// the presence is stored, and a watched roster re-reads its members every 30 s anyway.
    /// </summary>
    private async Task TellTeamsAsync(PresenceView view)
    {
        try
        {
            var teams = (await GrainFactory.GetGrain<IUserGrain>(UserId).GetAsync())?.TeamIds ?? [];
            await Task.WhenAll(teams.Select(t => GrainFactory.GetGrain<ITeamPresenceGrain>(t).UpdateAsync(view)));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogTellFailed(ex, UserId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Presence of {UserId} could not reach every team roster")]
    private partial void LogTellFailed(Exception ex, string userId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Presence of {UserId} is now {Status}")]
    private partial void LogChanged(string userId, PresenceStatus status);
}
