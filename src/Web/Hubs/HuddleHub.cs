using System.Text.Json;
using Huddle.Grains.CareTeams;
using Huddle.Grains.CareTeams.Board;
using Huddle.Grains.Common;
using Huddle.Web.Api;
using Huddle.Web.Auth;
using Huddle.Web.Relay;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Huddle.Web.Hubs;

/// <summary>The reply to SubscribeBoard: the snapshot to start from, or an error.</summary>
public sealed record BoardSubscription(bool Ok, HuddleBoard? Board, TeamAccess Access, HuddleError? Error);

/// <summary>
/// The real-time endpoint. Thin by design: authorize, call the board, map the result. Membership is
/// checked by the team's grain on every call, not only at connect.
/// </summary>
[Authorize]
public sealed class HuddleHub(BoardService boards, BoardRelay relay) : Hub<IHuddleClient>
{
    public const string Path = "/hubs/huddle";
    private const string SubscriptionsKey = "huddle.subscriptions";

    private string UserId => Context.User!.UserIdOf();

    /// <summary>
    /// Starts receiving BoardChanged for <paramref name="teamId"/> and returns the snapshot. Events
    /// with a version at or below the snapshot's are already included in it.
    /// </summary>
    public async Task<BoardSubscription> SubscribeBoard(string teamId)
    {
        var access = await boards.AccessAsync(UserId, teamId);
        if (access == TeamAccess.None)
        {
            // Read once more to tell "unknown team" from "not a member".
            var denied = await boards.ReadAsync(UserId, teamId);
            return new BoardSubscription(false, null, TeamAccess.None, denied.Error ?? HuddleError.Forbidden("Only members of the care team can read its board."));
        }

        var subscriptions = Subscriptions();
        if (!subscriptions.ContainsKey(teamId))
        {
            // Join before reading the snapshot so no change can fall between the two.
            subscriptions[teamId] = await relay.AttachAsync(teamId);
            await Groups.AddToGroupAsync(Context.ConnectionId, access == TeamAccess.Display ? HuddleGroups.Screen(teamId) : HuddleGroups.Board(teamId));
        }

        var read = await boards.ReadAsync(UserId, teamId);
        if (read.Error is { } error)
        {
            await LeaveAsync(teamId);
            return new BoardSubscription(false, null, read.Access, error);
        }

        return new BoardSubscription(true, read.Board, read.Access, null);
    }

    /// <summary>Stops receiving changes for <paramref name="teamId"/>.</summary>
    public Task UnsubscribeBoard(string teamId) => LeaveAsync(teamId);

    /// <summary>Applies the board operation <paramref name="op"/> with <paramref name="args"/> (docs/api.md, "Board operations").</summary>
    public async Task<CommandReply> Execute(string teamId, string op, JsonElement? args)
    {
        var (command, error) = BoardOps.Parse(op, args);
        if (error is not null)
        {
            return CommandReply.Failed(error);
        }

        return CommandReply.From(await boards.ExecuteAsync(UserId, teamId, command!));
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        foreach (var teamId in Subscriptions().Keys.ToList())
        {
            await LeaveAsync(teamId);
        }

        await base.OnDisconnectedAsync(exception);
    }

    private async Task LeaveAsync(string teamId)
    {
        if (Subscriptions().Remove(teamId, out var attachment))
        {
            await Groups.RemoveFromGroupAsync(Context.ConnectionId, HuddleGroups.Board(teamId));
            await Groups.RemoveFromGroupAsync(Context.ConnectionId, HuddleGroups.Screen(teamId));
            await attachment.DisposeAsync();
        }
    }

    // SignalR runs one invocation per connection at a time, so this per-connection map needs no lock.
    private Dictionary<string, IAsyncDisposable> Subscriptions()
    {
        if (!Context.Items.TryGetValue(SubscriptionsKey, out var value) || value is not Dictionary<string, IAsyncDisposable> map)
        {
            map = new Dictionary<string, IAsyncDisposable>(StringComparer.Ordinal);
            Context.Items[SubscriptionsKey] = map;
        }

        return map;
    }
}
