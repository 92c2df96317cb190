using Huddle.Contracts.Chat;
using Huddle.Contracts.Common;

namespace Huddle.Web.Chat;

/// <summary>Edits, deletes and edit histories (docs/api.md, "Edits, deletes and retention").</summary>
public sealed partial class ChatService
{
    /// <summary>Stores <paramref name="userId"/>'s edit of their message; the reply (the edit's seq) comes once it is stored.</summary>
    public Task<Result<MessageSent>> EditAsync(string userId, string threadId, EditMessage? edit)
    {
        if (edit is null)
        {
            return Task.FromResult<Result<MessageSent>>(MissingArguments("edit"));
        }

        return CallAsync(threadId, "edit", () => grains.Grain<IThreadGrain>(threadId).EditAsync(userId, edit));
    }

    /// <summary>Stores <paramref name="userId"/>'s delete (recall) of their message; the reply comes once it is stored.</summary>
    public Task<Result<MessageSent>> DeleteAsync(string userId, string threadId, DeleteMessage? delete)
    {
        if (delete is null)
        {
            return Task.FromResult<Result<MessageSent>>(MissingArguments("delete"));
        }

        return CallAsync(threadId, "delete", () => grains.Grain<IThreadGrain>(threadId).DeleteAsync(userId, delete));
    }

    /// <summary>The versions of the message at <paramref name="seq"/>, for a member.</summary>
    public Task<Result<MessageEdits>> ReadEditsAsync(string userId, string threadId, long seq) =>
        CallAsync(threadId, "readEdits", () => grains.Grain<IThreadGrain>(threadId).ReadEditsAsync(userId, seq));
}
