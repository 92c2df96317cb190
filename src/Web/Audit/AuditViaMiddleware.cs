using Huddle.Contracts.Audit;

namespace Huddle.Web.Audit;

/// <summary>Marks each HTTP request (an API call, a page's first render) as coming through that request, for the silo's audit.</summary>
public static class AuditViaMiddleware
{
    public static IApplicationBuilder UseAuditVia(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        // A WebSocket's request lives as long as its connection: the hub and the circuits mark their own calls.
        if (!context.Request.Path.StartsWithSegments(Live.HuddleHub.Path) && !context.Request.Path.StartsWithSegments("/_blazor"))
        {
            AuditVia.Set(AuditVia.Http, context.TraceIdentifier);
        }

        return next(context);
    });
}
