using System.Collections.Immutable;
using Huddle.Contracts.Boards;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Live;
using Huddle.Web.Http;
using Huddle.Web.Live;

namespace Huddle.Web.Boards;

/// <summary>
/// The one door from web code (hub, HTTP, Blazor) to a team's board. It rejects malformed team ids
/// before they become grain keys, opens and reads the board's feed through the relay, and turns an
/// unreachable grain or unconfirmed write into the documented <c>unavailable</c> (a bug still
/// throws: it is a 500 with a trace id, not an outage).
/// </summary>
public sealed partial class BoardService(IGrainFactory grains, FeedRelay relay, ILogger<BoardService> logger)
{
    private static readonly HuddleError InvalidTeamId =
        HuddleError.InvalidId("A team id");

    /// <summary>
    /// Opens the board for a hub connection: from now on it receives <c>BoardChanged</c>. With
    /// <paramref name="since"/> (the last version it has) the reply holds only what it missed.
    /// </summary>
    public async Task<Result<BoardSubscription>> SubscribeAsync(HubWatcher watcher, string teamId, long? since)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        return Ids.IsValid(teamId) ? ToSubscription(await relay.OpenAsync(BoardRoute.FeedOf(teamId), watcher, since)) : InvalidTeamId;
    }

    /// <summary>Stops a hub connection receiving the board.</summary>
    public Task UnsubscribeAsync(string connectionId, string teamId) =>
        Ids.IsValid(teamId) ? relay.CloseAsync(BoardRoute.FeedOf(teamId), connectionId) : Task.CompletedTask;

    /// <summary>
    /// Opens the board for a component: every later change of its audience is handed to
    /// <paramref name="onChange"/>. <paramref name="wallView"/> asks for the room-display
    /// (privacy-filtered) form, which any member may watch.
    /// </summary>
    public async Task<(Result<BoardSubscription> Open, IAsyncDisposable? Watch)> WatchAsync(string userId, string teamId, bool wallView, Action<BoardChange> onChange)
    {
        ArgumentNullException.ThrowIfNull(onChange);
        if (!Ids.IsValid(teamId))
        {
            return (InvalidTeamId, null);
        }

        var (open, watch) = await relay.OpenLocalAsync(BoardRoute.FeedOf(teamId), userId, null, AudienceOf(wallView), p => onChange((BoardChange)p));
        return (ToSubscription(open), watch);
    }

    /// <summary>What <paramref name="userId"/> missed after <paramref name="since"/>, or the snapshot (the catch-up read).</summary>
    public async Task<Result<BoardSubscription>> ReadSinceAsync(string userId, string teamId, long? since, bool wallView = false) =>
        Ids.IsValid(teamId) ? ToSubscription(await relay.ReadAsync(BoardRoute.FeedOf(teamId), userId, since, AudienceOf(wallView))) : InvalidTeamId;

    /// <summary>Today's board as <paramref name="userId"/> may see it.</summary>
    public Task<Result<BoardSnapshot>> ReadAsync(string userId, string teamId) =>
        CallAsync(teamId, "read", g => g.GetBoardAsync(userId));

    /// <summary>One page of the team's panel, for <paramref name="userId"/> (members only).</summary>
    public Task<Result<PanelPage>> PanelAsync(string userId, string teamId, string? query, int offset, int limit) =>
        CallAsync(teamId, "panel", _ => grains.GetGrain<IPanelGrain>(teamId).GetPageAsync(userId, query, offset, limit));

    /// <summary>Past days' boards from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public Task<Result<ImmutableArray<HuddleBoard>>> HistoryAsync(string userId, string teamId, DateOnly from, DateOnly to) =>
        CallAsync(teamId, "history", g => g.GetHistoryAsync(userId, from, to));

    /// <summary>Applies <paramref name="command"/> as <paramref name="userId"/>.</summary>
    public Task<Result<CommandOutcome>> ExecuteAsync(string userId, string teamId, BoardCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return CallAsync(teamId, command.Op, g => g.ExecuteAsync(userId, command));
    }

    private static string? AudienceOf(bool wallView) => wallView ? FeedAudiences.Displays : null;

    private static Result<BoardSubscription> ToSubscription(Result<FeedOpen> open) => open.Map(o =>
    {
        var access = o.Audience == FeedAudiences.Members ? TeamAccess.Member : TeamAccess.Display;
        return o.Snapshot is BoardSnapshot snapshot
            ? new BoardSubscription(snapshot.Board, access, o.Seq, true, [], snapshot.Team)
            : new BoardSubscription(null, access, o.Seq, o.Reset, [.. o.Changes.Cast<BoardChange>()]);
    });

    /// <summary>Calls the team's grain: a malformed id is validation_failed, an unreachable grain or unconfirmed write unavailable.</summary>
    private async Task<Result<T>> CallAsync<T>(string teamId, string op, Func<ICareTeamGrain, Task<Result<T>>> call)
    {
        if (!Ids.IsValid(teamId))
        {
            return InvalidTeamId;
        }

        try
        {
            return await call(grains.GetGrain<ICareTeamGrain>(teamId));
        }
        catch (Exception ex) when (Failures.IsUnavailable(ex))
        {
            LogUnavailable(ex, teamId, op);
            return Failures.Unavailable;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Board {TeamId} {Op} could not reach its grain or storage")]
    private partial void LogUnavailable(Exception ex, string teamId, string op);
}
