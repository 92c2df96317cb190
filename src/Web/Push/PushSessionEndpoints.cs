using System.Security.Claims;
using Huddle.Contracts.Handoffs;
using Huddle.Web.Auth;
using Huddle.Web.Handoffs;
using Huddle.Web.Http;

namespace Huddle.Web.Push;

/// <summary>
/// What the service worker may do with the browser's own session (the page cookie; the API takes
/// bearer tokens only): accept a handoff from the notification's "Accept — 5 min" action. Only from
/// Huddle's own origin (the browser's <c>Sec-Fetch-Site</c>), so another site cannot make the call.
/// </summary>
public static class PushSessionEndpoints
{
    public const string AcceptPath = "/session/handoffs/{handoffId}/accept";

    /// <summary>The body: the ETA the action offers, and the op id that makes a second tap the same acceptance.</summary>
    public sealed record AcceptFromNotification(int EtaMinutes, string? OpId);

    public static void MapPushSession(this IEndpointRouteBuilder app)
    {
        app.MapPost(AcceptPath, async (string handoffId, AcceptFromNotification body, HttpContext context, HandoffService handoffs) =>
        {
            if (context.Request.Headers["Sec-Fetch-Site"].ToString() != "same-origin")
            {
                return ApiErrors.Reply(Contracts.Common.Result<HandoffSummary>.Failure(
                    Contracts.Common.HuddleError.Forbidden("A handoff is accepted from a notification of Huddle's own only.")));
            }

            return ApiErrors.Reply(await handoffs.ExecuteAsync(context.User.UserIdOf(), handoffId, new AcceptHandoff(body.EtaMinutes) { OpId = body.OpId }));
        }).RequireAuthorization();
    }

    /// <summary>Removes the device a signing-out page names (its <c>pushDevice</c> form field), so a shared phone stops getting its last user's pings.</summary>
    public static async Task ForgetDeviceAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.User.Identity?.IsAuthenticated == true && context.Request.HasFormContentType
            && (await context.Request.ReadFormAsync()).TryGetValue("pushDevice", out var device) && device.ToString() is { Length: > 0 } deviceId)
        {
            await context.RequestServices.GetRequiredService<PushService>().RemoveAsync(context.User.UserIdOf(), deviceId);
        }
    }
}
