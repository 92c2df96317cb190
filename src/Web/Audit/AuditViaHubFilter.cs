using Huddle.Contracts.Audit;
using Microsoft.AspNetCore.SignalR;

namespace Huddle.Web.Audit;

/// <summary>
/// Marks every hub call as coming through its connection, for the silo's audit of the grain calls it
/// makes: Huddle's hub as <c>hub</c>; Blazor's, which carries an interactive page's circuit (its start,
/// events, navigation and interop, whose work the page then does in this flow), as <c>circuit</c>.
/// </summary>
public sealed class AuditViaHubFilter : IHubFilter
{
    public ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        ArgumentNullException.ThrowIfNull(invocationContext);
        ArgumentNullException.ThrowIfNull(next);
        AuditVia.Set(invocationContext.Hub is Live.HuddleHub ? AuditVia.Hub : AuditVia.Circuit, invocationContext.Context.ConnectionId);

        return next(invocationContext);
    }
}
