using Huddle.Web.Auth;
using Microsoft.AspNetCore.SignalR;

namespace Huddle.Web.Presence;

/// <summary>
/// Every hub connection counts for its user's presence from its start to its end, on whichever host it
/// lands, without the hub itself knowing presence exists.
/// </summary>
public sealed class PresenceHubFilter(PresenceService presence) : IHubFilter
{
    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        // A circuit whose sign-in has ended reconnects as nobody (Blazor's own hub allows that): no presence.
        if (context.Context.User?.FindFirst(Auth.HuddleClaims.UserId)?.Value is { } userId)
        {
            await presence.ConnectionAsync(userId, context.Context.ConnectionId, open: true);
        }

        await next(context);
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        await next(context, exception);
        if (context.Context.User?.FindFirst(Auth.HuddleClaims.UserId)?.Value is { } userId)
        {
            await presence.ConnectionAsync(userId, context.Context.ConnectionId, open: false);
        }
    }
}
