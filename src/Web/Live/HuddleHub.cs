using Huddle.Web.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Huddle.Web.Live;

/// <summary>
/// The real-time endpoint. Thin by design: each feature's methods (in its own folder, as parts of
/// this class) authorize through its service, call one grain through the relay, and return a
/// <see cref="Contracts.Common.Result{T}"/>. Who watches what lives in <see cref="FeedRelay"/>
/// alone: a connection's end closes everything it watched there.
/// </summary>
[Authorize]
public sealed partial class HuddleHub(FeedRelay relay) : Hub<IHuddleClient>
{
    public const string Path = "/hubs/huddle";

    /// <summary>This connection as a watcher of feeds.</summary>
    private HubWatcher Watcher => new(Context.ConnectionId, Context.User!.UserIdOf(), Context.ConnectionAborted);

    private string UserId => Context.User!.UserIdOf();

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        await relay.CloseConnectionAsync(Context.ConnectionId);
        await base.OnDisconnectedAsync(exception);
    }
}
