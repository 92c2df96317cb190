using Huddle.Contracts.Common;
using Huddle.Contracts.Presence;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Users;
using Huddle.Web.Http;

namespace Huddle.Web.Presence;

/// <summary>
/// The door from web code to clinicians' presence: a hub connection's start, heartbeats and end feed
/// the clinician's presence grain (the grain merges every connection of every host); a clinician
/// chooses a status. An unreachable grain is <c>unavailable</c> for a choice, and only logged for a
/// connection's start or end (presence then corrects itself through heartbeats and expiry).
/// </summary>
public sealed partial class PresenceService(IGrainFactory grains, Audit.AuditWriter audit, ILogger<PresenceService> logger)
{
    /// <summary>The user's status choice.</summary>
    public Task<Result<PresenceView>> SetAsync(string userId, PresenceStatus status) =>
        CallAsync(userId, g => g.SetStatusAsync(status));

    /// <summary>A heartbeat of one connection: it stays counted for another <c>Huddle:Presence:OfflineAfter</c>.</summary>
    public Task<Result<PresenceView>> HeartbeatAsync(string userId, string connectionId) =>
        CallAsync(userId, async g => Result<PresenceView>.Success(await g.HeartbeatAsync(connectionId)));

    /// <summary>
    /// <paramref name="userId"/>'s presence, for <paramref name="callerId"/>: their own, or a clinician on
    /// the roster of a team the caller is on (as a member or its room display). Anyone else's is
    /// <c>forbidden</c>, the same whether that user exists or not (docs/security.md, "Presence").
    /// </summary>
    public async Task<Result<PresenceView>> GetAsync(string callerId, string userId)
    {
        if (!Ids.IsValid(userId))
        {
            return HuddleError.InvalidId("A user id");
        }

        try
        {
            if (callerId != userId && !await SharesTeamAsync(callerId, userId))
            {
                await audit.DeniedAsync(callerId, "Presence.Get", "presence", userId, null, ErrorCodes.Forbidden);
                return HuddleError.Forbidden("You may see the presence of your teammates only.");
            }
        }
        catch (Exception ex) when (Failures.IsUnavailable(ex))
        {
            LogUnavailable(ex, userId);
            return Failures.Unavailable;
        }

        return await CallAsync(userId, async g => Result<PresenceView>.Success(await g.GetAsync()));
    }

    /// <summary>
    /// True when a team of <paramref name="callerId"/>'s has <paramref name="userId"/> on its roster. The
    /// teams' rosters decide, not the users' lists of teams (a member taken off a roster may still list it).
    /// </summary>
    private async Task<bool> SharesTeamAsync(string callerId, string userId)
    {
        if (await grains.Grain<IUserGrain>(callerId).GetAsync() is not { } caller)
        {
            return false;
        }

        var profiles = await Task.WhenAll(caller.TeamIds.Select(t => grains.Grain<ICareTeamGrain>(t).GetProfileAsync()));
        return profiles.Any(p => p is not null && p.AccessFor(callerId) != TeamAccess.None && p.AccessFor(userId) == TeamAccess.Member);
    }

    /// <summary>A hub connection of <paramref name="userId"/> opened or closed.</summary>
    public async Task ConnectionAsync(string userId, string connectionId, bool open)
    {
        try
        {
            var grain = grains.Grain<IPresenceGrain>(userId);
            await (open ? grain.ConnectAsync(connectionId) : grain.DisconnectAsync(connectionId));
        }
        catch (Exception ex) when (Failures.IsUnavailable(ex))
        {
            LogUnavailable(ex, userId);
        }
    }

    private async Task<Result<PresenceView>> CallAsync(string userId, Func<IPresenceGrain, Task<Result<PresenceView>>> call)
    {
        try
        {
            return await call(grains.Grain<IPresenceGrain>(userId));
        }
        catch (Exception ex) when (Failures.IsUnavailable(ex))
        {
            LogUnavailable(ex, userId);
            return Failures.Unavailable;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Presence of {UserId} could not be reached")]
    private partial void LogUnavailable(Exception ex, string userId);
}
