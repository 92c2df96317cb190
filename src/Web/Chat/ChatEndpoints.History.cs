using System.Security.Claims;
using Huddle.Contracts.Chat;
using Huddle.Web.Auth;
using Huddle.Web.Http;

namespace Huddle.Web.Chat;

/// <summary>The HTTP twins of the edit, delete and edit-history hub methods.</summary>
public static partial class ChatEndpoints
{
    private static void MapChatHistoryEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/threads/{threadId}/edits", async (string threadId, EditMessage edit, ClaimsPrincipal principal, ChatService chat) =>
            ApiErrors.Reply(await chat.EditAsync(principal.UserIdOf(), threadId, edit)));

        api.MapPost("/threads/{threadId}/deletes", async (string threadId, DeleteMessage delete, ClaimsPrincipal principal, ChatService chat) =>
            ApiErrors.Reply(await chat.DeleteAsync(principal.UserIdOf(), threadId, delete)));

        api.MapGet("/threads/{threadId}/messages/{seq:long}/edits", async (string threadId, long seq, ClaimsPrincipal principal, ChatService chat) =>
            ApiErrors.Reply(await chat.ReadEditsAsync(principal.UserIdOf(), threadId, seq)));
    }
}
