using System.Text.Json;
using Huddle.Contracts.Boards;
using Huddle.Contracts.Common;
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
        BoardService.ToSubscription(await OpenFeed<BoardSnapshot, BoardChange>(BoardRoute.FeedOf(teamId), null));

    /// <summary>
    /// Like <see cref="SubscribeBoard"/> for a client that has the board at <paramref name="version"/>
    /// (after a reconnect): the reply holds only the changes after it, in order, or a reset and the
    /// snapshot when the server no longer keeps them all.
    /// </summary>
    public async Task<Result<BoardSubscription>> ResumeBoard(string teamId, long version) =>
        BoardService.ToSubscription(await OpenFeed<BoardSnapshot, BoardChange>(BoardRoute.FeedOf(teamId), version));

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
