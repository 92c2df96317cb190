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
/// The clinician's team rosters are told of every status change, and of heartbeats often enough
/// (each time <see cref="PresenceView.OnlineUntil"/> has moved on by half of
/// <see cref="PresenceOptions.OfflineAfter"/>) that a roster can tell on its own when the clinician
/// went silent: routing reads the roster, not every member's grain.
/// </summary>
public sealed partial class PresenceGrain(
    [PersistentState(StorageNames.PresenceState, StorageNames.Huddle)] IPersistentState<PresenceState> state,
    HuddleClock clock,
    IOptions<PresenceOptions> options,
    ILogger<PresenceGrain> logger) : Grain, IPresenceGrain
{
    /// <summary>The <see cref="PresenceView.OnlineUntil"/> the rosters were last told (not stored: a new activation tells them again).</summary>
    private DateTimeOffset? _toldUntil;

    /// <summary>True when the last tell failed: the next call tells the rosters again, whatever changed.</summary>
    private bool _rostersStale = true;

    /// <summary>
    /// The presence as stored, while a write of a newer one is under way: <see cref="GetAsync"/>
    /// interleaves, and must not hand a roster a presence that a failed write then takes back.
    /// </summary>
    private ClinicianPresence? _stored;

    private string UserId => this.GetPrimaryKeyString();

    private TimeSpan OfflineAfter => options.Value.OfflineAfter;

    public Task<PresenceView> ConnectAsync(string connectionId) => ChangeAsync(p => p.Connect(connectionId, clock.UtcNow));

    public Task<PresenceView> HeartbeatAsync(string connectionId) => ChangeAsync(p => p.Connect(connectionId, clock.UtcNow));

    public Task<PresenceView> DisconnectAsync(string connectionId) => ChangeAsync(p => p.Disconnect(connectionId, clock.UtcNow));

    public async Task<Result<PresenceView>> SetStatusAsync(PresenceStatus status)
    {
        var chosen = Current().Choose(status, clock.UtcNow);
        return chosen.Error is { } error ? error : await ChangeAsync(_ => chosen.Value!);
    }

    public Task<PresenceView> GetAsync() =>
        Task.FromResult((_stored ?? state.State.Presence).Expire(clock.UtcNow, OfflineAfter).View(UserId, OfflineAfter));

    private ClinicianPresence Current() => state.State.Presence.Expire(clock.UtcNow, OfflineAfter);

    private async Task<PresenceView> ChangeAsync(Func<ClinicianPresence, ClinicianPresence> change)
    {
        var before = state.State.Presence;
        var after = change(Current());
        state.State.Presence = after;
        var view = after.View(UserId, OfflineAfter);
        var changed = after.Status != before.Status || after.Chosen != before.Chosen;
        if (changed)
        {
            _stored = before;
            try
            {
                await state.WriteStateAsync();
            }
            catch
            {
                state.State.Presence = before;
                throw;
            }
            finally
            {
                _stored = null;
            }

            LogChanged(UserId, after.Status);
        }

        if (changed || RostersFallingBehind(view))
        {
            await TellTeamsAsync(view);
        }

        return view;
    }

    /// <summary>
    /// Every team roster of this clinician shows the new presence. A failure is logged, not thrown:
    /// the presence is stored, and a watched roster re-reads its members every 30 s anyway.
    /// </summary>
    private async Task TellTeamsAsync(PresenceView view)
    {
        try
        {
            var teams = (await GrainFactory.Grain<IUserGrain>(UserId).GetAsync())?.TeamIds ?? [];
            await Task.WhenAll(teams.Select(t => GrainFactory.Grain<ITeamPresenceGrain>(t).UpdateAsync(view)));
            (_toldUntil, _rostersStale) = (view.OnlineUntil, false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The next heartbeat (20 s) tells them again; until then a roster that lacks this news
            // asks this grain once the onlineUntil it holds has passed.
            _rostersStale = true;
            LogTellFailed(ex, UserId);
        }
    }

    /// <summary>
    /// True when the rosters' idea of how long this clinician stays online is wrong enough to matter:
    /// half an expiry behind, or too late (a device left and the one still heard from is older), or
    /// the last tell failed.
    /// </summary>
    private bool RostersFallingBehind(PresenceView view) => _rostersStale
        || (view.OnlineUntil != _toldUntil
            && (view.OnlineUntil is not { } until || _toldUntil is not { } told || until < told || until - told >= OfflineAfter / 2));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Presence of {UserId} could not reach every team roster")]
    private partial void LogTellFailed(Exception ex, string userId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Presence of {UserId} is now {Status}")]
    private partial void LogChanged(string userId, PresenceStatus status);
}
