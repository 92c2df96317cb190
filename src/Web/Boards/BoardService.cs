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
    /// The board as a component on this host reads it, for its live copy. <paramref name="wallView"/>
    /// asks for the room-display (privacy-filtered) form, which any member may watch.
    /// </summary>
    public FeedSource<BoardSnapshot, BoardChange> SourceOf(string userId, string teamId, bool wallView) =>
        new(relay, BoardRoute.FeedOf(teamId), userId, AudienceOf(wallView));

    /// <summary>What <paramref name="userId"/> missed after <paramref name="since"/>, or the snapshot (the catch-up read).</summary>
    public async Task<Result<BoardSubscription>> ReadSinceAsync(string userId, string teamId, long? since, bool wallView = false,
        long epoch = Contracts.Live.FeedPosition.AnyEpoch) =>
        ToSubscription(await SourceOf(userId, teamId, wallView).ReadAsync(since, epoch));

    /// <summary>Today's board as <paramref name="userId"/> may see it.</summary>
    public Task<Result<BoardSnapshot>> ReadAsync(string userId, string teamId) =>
        CallAsync(teamId, "read", g => g.GetBoardAsync(userId));

    /// <summary>One page of the team's panel, for <paramref name="userId"/> (members only).</summary>
    public Task<Result<PanelPage>> PanelAsync(string userId, string teamId, string? query, int offset, int limit) =>
        CallAsync(teamId, "panel", _ => grains.Grain<IPanelGrain>(teamId).GetPageAsync(userId, query, offset, limit));

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

    /// <summary>
    /// The board's reply on the wire (docs/api.md, "SubscribeBoard"): the feed's reply with the board
    /// named <c>board</c>, its seq named <c>version</c>, and the reader's access. The team rides along
    /// for components only (it is not serialized).
    /// </summary>
    public static Result<BoardSubscription> ToSubscription(Result<FeedReply<BoardSnapshot, BoardChange>> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        return read.Map(reply =>
        {
            var access = reply.Audience == FeedAudiences.Members ? TeamAccess.Member : TeamAccess.Display;
            return reply.Snapshot is { } snapshot
                ? new BoardSubscription(snapshot.Board, access, reply.Seq, true, [], snapshot.Team, reply.Epoch, reply.More)
                : new BoardSubscription(null, access, reply.Seq, reply.Reset, reply.Changes, null, reply.Epoch, reply.More);
        });
    }

    /// <summary>Calls the team's grain: a malformed id is validation_failed, an unreachable grain or unconfirmed write unavailable.</summary>
    private async Task<Result<T>> CallAsync<T>(string teamId, string op, Func<ICareTeamGrain, Task<Result<T>>> call)
    {
        if (!Ids.IsValid(teamId))
        {
            return InvalidTeamId;
        }

        try
        {
            return await call(grains.Grain<ICareTeamGrain>(teamId));
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
