using System.Threading.RateLimiting;
using Huddle.Contracts.Common;
using Huddle.Web.Auth;
using Huddle.Web.Live;
using Microsoft.AspNetCore.SignalR;

namespace Huddle.Web.Security;

/// <summary>
/// Limits hub calls per connection and per user (<see cref="RateLimitOptions"/>): a call over either
/// limit is answered at once with <c>rate_limited</c> (the method's <see cref="Result{T}"/>, or a
/// <see cref="HubException"/> for a method without one) and does nothing, so a flooding client costs
/// the host a token check per message and other connections keep their latency. The connection stays
/// open: a client that slows down carries on.
/// <para>
/// A Blazor circuit's calls (the pages' own connection, not <see cref="HuddleHub"/>) have a bucket of their
/// own per user, all their pages together (<see cref="RateLimitOptions.CircuitCallsPerUser"/>), and count
/// for none of their hub calls; over it a call waits for a token rather than being refused, since Blazor
/// takes a refused event as lost input and a refused render acknowledgement stops the page's updates for
/// good. The wait slows that user's pages only: SignalR reads a connection's next call when this one is done.
/// </para>
/// <para>
/// Hand-written: ASP.NET Core's rate limiting middleware limits HTTP requests, and a WebSocket is one
/// request however many hub messages it carries; SignalR has no per-message limit of its own.
/// </para>
/// </summary>
public sealed partial class HubRateLimitFilter(HuddleRateLimits limits, ILogger<HubRateLimitFilter> logger) : IHubFilter
{
    private static readonly object LoggedKey = new();

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        ArgumentNullException.ThrowIfNull(invocationContext);
        ArgumentNullException.ThrowIfNull(next);
        var context = invocationContext.Context;
        if (invocationContext.Hub is not HuddleHub)
        {
            var key = context.User?.FindFirst(Auth.HuddleClaims.UserId)?.Value is { } owner ? "user:" + owner : "connection:" + context.ConnectionId;
            using var turn = await limits.ByCircuit.AcquireAsync(key, 1, context.ConnectionAborted);
            if (!turn.IsAcquired)
            {
                // More calls waiting than a user's pages can have (circuits opened to flood): refused.
                return Refuse(invocationContext, turn, "this user's pages", limits.Options.CircuitCallsPerUser);
            }

            return await next(invocationContext);
        }

        using (var connection = limits.ByConnection.AttemptAcquire(context.ConnectionId))
        {
            if (!connection.IsAcquired)
            {
                return Refuse(invocationContext, connection, "this connection", limits.Options.HubCallsPerConnection);
            }
        }

        // A connection whose sign-in has ended is nobody's: its connection's bucket is the only one it has.
        if (context.User?.FindFirst(Auth.HuddleClaims.UserId)?.Value is not { } userId)
        {
            return await next(invocationContext);
        }

        using (var user = limits.ByUser.AttemptAcquire(userId))
        {
            if (!user.IsAcquired)
            {
                return Refuse(invocationContext, user, "this user's connections", limits.Options.HubCallsPerUser);
            }
        }

        return await next(invocationContext);
    }

    private object Refuse(HubInvocationContext invocationContext, RateLimitLease lease, string who, int perMinute)
    {
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(1);
        var error = HuddleError.RateLimited(who, perMinute, retryAfter);
        // Once per connection: a flood would otherwise write a log line per message.
        if (invocationContext.Context.Items.TryAdd(LoggedKey, true))
        {
            LogLimited(invocationContext.Context.ConnectionId, invocationContext.HubMethodName, who);
        }

        return HubErrorFilter.FailureFor(invocationContext.HubMethod.ReturnType) is { } failure
            ? failure(error)
            : throw new HubException($"{error.Code}: {error.Message}");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hub calls on connection {ConnectionId} are being refused by the rate limit of {Who} (first: {Method}); further refusals on it are not logged")]
    private partial void LogLimited(string connectionId, string method, string who);
}
