using System.Text.Json;
using Huddle.Web.Http;
using Huddle.Web.Boards;
using Huddle.Web.Auth;
using Huddle.Web.Live;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Huddle.Contracts.Boards;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;

namespace Huddle.Web.Live;

/// <summary>The reply to SubscribeBoard: the snapshot to start from, or an error.</summary>
public sealed record BoardSubscription(bool Ok, HuddleBoard? Board, TeamAccess Access, HuddleError? Error)
{
    public static BoardSubscription Failed(HuddleError error) => new(false, null, TeamAccess.None, error);
}

/// <summary>
/// The real-time endpoint. Thin by design: authorize, call the board, map the result. Membership is
/// checked by the team's grain on every call; the relay keeps group membership in step with the
/// roster between calls.
/// </summary>
[Authorize]
public sealed class HuddleHub(BoardService boards, BoardRelay relay) : Hub<IHuddleClient>
{
    public const string Path = "/hubs/huddle";
    private const string SubscriptionsKey = "huddle.subscriptions";

    private string UserId => Context.User!.UserIdOf();

    public override Task OnConnectedAsync()
    {
        Context.Items[SubscriptionsKey] = new Subscriptions();
        return base.OnConnectedAsync();
    }

    /// <summary>
    /// Starts receiving BoardChanged for <paramref name="teamId"/> and returns the snapshot. Events
    /// with a version at or below the snapshot's are already included in it.
    /// </summary>
    public async Task<BoardSubscription> SubscribeBoard(string teamId)
    {
        var subscriptions = Mine();
        if (!subscriptions.Has(teamId))
        {
            var access = await boards.AccessAsync(UserId, teamId);
            if (access == TeamAccess.None)
            {
                // Read once more to tell "unknown team" or "malformed id" from "not a member".
                var denied = await boards.ReadAsync(UserId, teamId);
                return BoardSubscription.Failed(denied.Error ?? HuddleError.Forbidden("Only members of the care team can read its board."));
            }

            // Join before reading the snapshot so no change can fall between the two.
            IAsyncDisposable attachment;
            try
            {
                attachment = await relay.AttachAsync(teamId, connection: new RelayConnection(Context.ConnectionId, UserId, access));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return BoardSubscription.Failed(BoardService.UnavailableError);
            }

            if (!subscriptions.TryAdd(teamId, attachment))
            {
                // The connection closed while this call was joining: leave again, nothing leaks.
                await attachment.DisposeAsync();
                return BoardSubscription.Failed(BoardService.UnavailableError);
            }
        }

        var read = await boards.ReadAsync(UserId, teamId);
        if (read.Error is { } error)
        {
            await LeaveAsync(teamId);
            return BoardSubscription.Failed(error);
        }

        // Access may have changed between the check and the read: the group follows the read.
        await relay.SetAccessAsync(teamId, Context.ConnectionId, read.Access);
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
        foreach (var attachment in Mine().Close())
        {
            await attachment.DisposeAsync();
        }

        await base.OnDisconnectedAsync(exception);
    }

    private async Task LeaveAsync(string teamId)
    {
        if (Mine().Remove(teamId) is { } attachment)
        {
            await attachment.DisposeAsync();
        }
    }

    private Subscriptions Mine() => (Subscriptions)Context.Items[SubscriptionsKey]!;

    /// <summary>
    /// A connection's board subscriptions. Locked: SignalR may run OnDisconnectedAsync while a
    /// SubscribeBoard is still joining, and an attachment added after the connection closed would
    /// keep its team relayed forever.
    /// </summary>
    private sealed class Subscriptions
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<string, IAsyncDisposable> _byTeam = new(StringComparer.Ordinal);
        private bool _closed;

        public bool Has(string teamId)
        {
            lock (_lock)
            {
                return _byTeam.ContainsKey(teamId);
            }
        }

        public bool TryAdd(string teamId, IAsyncDisposable attachment)
        {
            lock (_lock)
            {
                return !_closed && _byTeam.TryAdd(teamId, attachment);
            }
        }

        public IAsyncDisposable? Remove(string teamId)
        {
            lock (_lock)
            {
                return _byTeam.Remove(teamId, out var attachment) ? attachment : null;
            }
        }

        public List<IAsyncDisposable> Close()
        {
            lock (_lock)
            {
                _closed = true;
                var all = _byTeam.Values.ToList();
                _byTeam.Clear();
                return all;
            }
        }
    }
}
