using System.Text.Json;
using Huddle.Contracts.Boards;
using Huddle.Contracts.Common;
using Huddle.Contracts.Live;
using Huddle.Web.Boards;

namespace Huddle.Web.Live;

/// <summary>
/// The board's hub methods (docs/api.md, "Hub: /hubs/huddle"). A part of the one hub, kept with the
/// rest of the board feature; its namespace is the hub's, as a partial class requires.
/// </summary>
public sealed partial class HuddleHub
{
    /// <summary>
    /// Starts receiving <c>BoardChanged</c> for <paramref name="teamId"/> and returns the snapshot.
    /// Events with a version at or below the reply's are already included in it.
    /// </summary>
    public async Task<Result<BoardSubscription>> SubscribeBoard(string teamId) =>
        BoardService.ToSubscription(await OpenFeed<BoardSnapshot, BoardChange>(BoardRoute.FeedOf(teamId), null, FeedPosition.AnyEpoch));

    /// <summary>
    /// Like <see cref="SubscribeBoard"/> for a client that has the board at <paramref name="version"/> of
    /// <paramref name="epoch"/> (its last reply's; 0 = the current one), after a reconnect: the reply holds
    /// only the changes after it, in order, or a reset and the snapshot when the server no longer keeps
    /// them all or the board's numbering started again (another epoch).
    /// </summary>
    public async Task<Result<BoardSubscription>> ResumeBoard(string teamId, long version, long epoch) =>
        BoardService.ToSubscription(await OpenFeed<BoardSnapshot, BoardChange>(BoardRoute.FeedOf(teamId), version, epoch));

    /// <summary>Stops receiving changes for <paramref name="teamId"/>.</summary>
    public Task UnsubscribeBoard(string teamId) => CloseFeed(BoardRoute.FeedOf(teamId));

    /// <summary>Applies the board operation <paramref name="op"/> with <paramref name="args"/> (docs/api.md, "Board operations").</summary>
    public async Task<Result<CommandOutcome>> Execute(string teamId, string op, JsonElement? args, BoardService boards)
    {
        ArgumentNullException.ThrowIfNull(boards);
        var command = BoardOps.Parse(op, args);
        return command.Value is { } parsed ? await boards.ExecuteAsync(UserId, teamId, parsed) : command.Error!;
    }
}
