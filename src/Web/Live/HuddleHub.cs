using Huddle.Contracts.Common;
using Huddle.Contracts.Live;
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

    /// <summary>The name <see cref="ArgumentsNotBound"/> is called by; not a name a client is meant to call (docs/api.md, "Errors").</summary>
    public const string UnboundMethod = "$argumentsNotBound";

    /// <summary>This connection as a watcher of feeds.</summary>
    private HubWatcher Watcher => new(Context.ConnectionId, Context.User!.UserIdOf(), Context.ConnectionAborted);

    private string UserId => Context.User!.UserIdOf();

    /// <summary>
    /// The one pattern of every feed's hub methods: <c>Subscribe…</c> opens <paramref name="feed"/> for
    /// this connection (the snapshot), <c>Resume…</c> the same from <paramref name="since"/> of
    /// <paramref name="epoch"/> (the position of the client's last reply: only what it missed, or the
    /// snapshot when that position is of another epoch), both answering with the feed's
    /// <see cref="FeedReply{TSnapshot, TChange}"/>; the feed's hub event follows. A feature's methods only
    /// name the feed and its types.
    /// </summary>
    private Task<Result<FeedReply<TSnapshot, TChange>>> OpenFeed<TSnapshot, TChange>(FeedId feed, long? since, long epoch)
        where TSnapshot : class =>
        relay.SubscribeAsync<TSnapshot, TChange>(feed, Watcher, since, epoch: epoch);

    /// <summary><c>Unsubscribe…</c>: this connection stops receiving <paramref name="feed"/>.</summary>
    private Task CloseFeed(FeedId feed) => relay.UnsubscribeAsync(feed, Context.ConnectionId);

    /// <summary>
    /// The answer to a call of <paramref name="method"/> whose arguments did not bind
    /// (<see cref="UnboundArgumentsProtocol"/>): <c>validation_failed</c>, as for any bad input, and
    /// nothing was done. The result's shape is that of every hub method (a failure carries no value).
    /// </summary>
    [HubMethodName(UnboundMethod)]
    public Result<object> ArgumentsNotBound(string method, string reason) =>
        HuddleError.Invalid($"The arguments of '{method}' do not match it: {reason}");

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        await relay.CloseConnectionAsync(Context.ConnectionId);
        await base.OnDisconnectedAsync(exception);
    }
}
