using System.Security.Claims;
using Huddle.Contracts.Chat;
using Huddle.Contracts.Live;
using Huddle.Web.Auth;
using Huddle.Web.Http;

namespace Huddle.Web.Chat;

/// <summary>The HTTP API of receipts and unread counts (docs/api.md, "Receipts and unread counts"): twins of the hub methods, the same replies.</summary>
public static class ChatReceiptEndpoints
{
    /// <summary>A cursor report: the seq that reached this device, and the seq shown on its screen (0 or absent: no news), in the thread's feed epoch (0 or absent: not known).</summary>
    public sealed record CursorReport(long Delivered = 0, long Read = 0, long Epoch = 0);

    public static void MapChatReceiptEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/threads/{threadId}/cursors", async (string threadId, CursorReport report, ClaimsPrincipal principal, ChatService chat) =>
            ApiErrors.Reply(await chat.ReportAsync(principal.UserIdOf(), threadId, report.Delivered, report.Read, report.Epoch)));

        api.MapGet("/threads/{threadId}/receipts", async (string threadId, long? since, long? epoch, ClaimsPrincipal principal, ChatService chat) =>
            ApiErrors.Reply(await chat.ReadReceiptsAsync(principal.UserIdOf(), threadId, since, epoch ?? FeedPosition.AnyEpoch)));

        api.MapGet("/unread", async (long? since, long? epoch, ClaimsPrincipal principal, ChatService chat) =>
            ApiErrors.Reply(await chat.ReadUnreadAsync(principal.UserIdOf(), since, epoch ?? FeedPosition.AnyEpoch)));
    }
}
