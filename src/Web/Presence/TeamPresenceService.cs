using Huddle.Contracts.Common;
using Huddle.Contracts.Live;
using Huddle.Contracts.Presence;
using Huddle.Web.Live;

namespace Huddle.Web.Presence;

/// <summary>A team's presence roster for hub connections, HTTP and components, through the relay.</summary>
public sealed class TeamPresenceService(FeedRelay relay)
{
    private static readonly HuddleError InvalidId = HuddleError.InvalidId("A team id");

    /// <summary>Opens the roster for a hub connection: from now on it receives <c>TeamPresenceChanged</c>.</summary>
    public async Task<Result<TeamPresenceReply>> SubscribeAsync(HubWatcher watcher, string teamId, long? since)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        return Ids.IsValid(teamId) ? ToReply(await relay.OpenAsync(TeamPresenceRoute.FeedOf(teamId), watcher, since)) : InvalidId;
    }

    /// <summary>The catch-up read (or, without <paramref name="since"/>, the roster), without watching.</summary>
    public async Task<Result<TeamPresenceReply>> ReadAsync(string userId, string teamId, long? since) =>
        Ids.IsValid(teamId) ? ToReply(await relay.ReadAsync(TeamPresenceRoute.FeedOf(teamId), userId, since)) : InvalidId;

    /// <summary>Opens the roster for a component: each change is handed to <paramref name="onChange"/> (post it to the renderer).</summary>
    public async Task<(Result<TeamPresenceReply> Open, IAsyncDisposable? Watch)> WatchAsync(string userId, string teamId, Action<TeamPresenceChange> onChange)
    {
        ArgumentNullException.ThrowIfNull(onChange);
        if (!Ids.IsValid(teamId))
        {
            return (InvalidId, null);
        }

        var (open, watch) = await relay.OpenLocalAsync(TeamPresenceRoute.FeedOf(teamId), userId, null, null, p => onChange((TeamPresenceChange)p));
        return (ToReply(open), watch);
    }

    /// <summary>Stops a hub connection watching the roster.</summary>
    public Task UnsubscribeAsync(string connectionId, string teamId) =>
        Ids.IsValid(teamId) ? relay.CloseAsync(TeamPresenceRoute.FeedOf(teamId), connectionId) : Task.CompletedTask;

    private static Result<TeamPresenceReply> ToReply(Result<FeedOpen> open) =>
        open.Map(o => new TeamPresenceReply(o.Seq, o.Reset, o.Snapshot as TeamPresenceSnapshot, [.. o.Changes.Cast<TeamPresenceChange>()]));
}
