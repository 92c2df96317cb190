using Huddle.Contracts.Audit;
using Huddle.Contracts.Common;
using Huddle.Web.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Huddle.Web.Audit;

/// <summary>
/// ASP.NET Core's answer to a failed authorization, with a denied audit record first when a signed-in
/// person was refused an endpoint (a clinician asking for the administrators' API). A request with no
/// sign-in at all is answered 401 and not recorded: there is nobody to record.
/// </summary>
public sealed class AuditedAuthorizationResults(AuditWriter audit) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(authorizeResult);
        if (authorizeResult.Forbidden && context.User.FindFirst(HuddleClaims.UserId)?.Value is { } userId
            && context.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } pattern })
        {
            await audit.DeniedAsync(userId, $"{context.Request.Method} {pattern}", "endpoint", pattern,
                context.Request.RouteValues.TryGetValue("patientId", out var patient) ? patient as string : null,
                ErrorCodes.Forbidden, AuditVia.Http, context.TraceIdentifier);
        }

        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
