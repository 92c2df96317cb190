using System.Security.Claims;
using Huddle.Contracts.Chat;
using Huddle.Contracts.Live;
using Huddle.Web.Auth;
using Huddle.Web.Http;

namespace Huddle.Web.Chat;

/// <summary>The HTTP API of chat (docs/api.md, "Chat"): twins of the hub methods, the same replies.</summary>
public static partial class ChatEndpoints
{
    /// <summary>A direct thread is asked for by the other clinician's id.</summary>
    public sealed record DirectThreadRequest(string UserId);

    /// <summary>An acknowledgement is asked for with the client's own id for it (a retry with the same id is applied once).</summary>
    public sealed record AcknowledgeRequest(string ClientMessageId);

    public static void MapChatEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/threads", async (ClaimsPrincipal principal, ChatService chat) =>
            ApiErrors.Reply(await chat.ListAsync(principal.UserIdOf())));

        // The catch-up read answers as its hub twin (SubscribeThread, ResumeThread) does.
        api.MapGet("/threads/{threadId}", async (string threadId, long? since, long? epoch, int? limit, ClaimsPrincipal principal, ChatService chat) =>
            ApiErrors.Reply(await chat.ReadAsync(principal.UserIdOf(), threadId, since, epoch ?? FeedPosition.AnyEpoch, limit ?? 0)));

        api.MapGet("/threads/{threadId}/messages", async (string threadId, long before, int? limit, ClaimsPrincipal principal, ChatService chat) =>
            ApiErrors.Reply(await chat.ReadBeforeAsync(principal.UserIdOf(), threadId, before, limit ?? ChatLimits.SnapshotMessages)));

        api.MapPost("/threads/{threadId}/messages", async (string threadId, SendMessage message, ClaimsPrincipal principal, ChatService chat) =>
            ApiErrors.Reply(await chat.SendAsync(principal.UserIdOf(), threadId, message)));

        api.MapPost("/threads/{threadId}/messages/{seq:long}/ack", async (string threadId, long seq, AcknowledgeRequest request, ClaimsPrincipal principal, ChatService chat) =>
            ApiErrors.Reply(await chat.AcknowledgeAsync(principal.UserIdOf(), threadId, seq, request.ClientMessageId)));

        api.MapChatHistoryEndpoints();

        api.MapPost("/threads/direct", async (DirectThreadRequest request, ClaimsPrincipal principal, ChatService chat) =>
            ApiErrors.Reply(await chat.StartDirectAsync(principal.UserIdOf(), request.UserId)));
    }
}
