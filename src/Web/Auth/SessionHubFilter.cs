using Microsoft.AspNetCore.SignalR;

namespace Huddle.Web.Auth;

/// <summary>Tracks each connection to Huddle's hub in <see cref="SessionRegistry"/>: a provider sign-out aborts it.</summary>
public sealed class SessionHubFilter(SessionRegistry sessions) : IHubFilter
{
    private static readonly object Key = new();

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        // Huddle's hub only: Blazor's circuits ride SignalR too, and are ended by SessionCircuitHandler,
        // which sends the browser to sign in (an aborted circuit connection would just reconnect).
        if (context.Hub is Live.HuddleHub)
        {
            var caller = context.Context;
            caller.Items[Key] = sessions.Track(caller.User!, caller.Abort);
        }

        await next(context);
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        (context.Context.Items[Key] as IDisposable)?.Dispose();
        await next(context, exception);
    }
}
