using Huddle.Contracts.Chat;
using Huddle.Contracts.Common;
using Huddle.Web.Chat;

namespace Huddle.Web.Live;

/// <summary>Edits, deletes and edit histories of chat messages (docs/api.md, "Edits, deletes and retention").</summary>
public sealed partial class HuddleHub
{
    /// <summary>Edits your message; the reply (the edit entry's seq) comes once storage accepted it, and a resend of its client message id gets the same reply.</summary>
    public Task<Result<MessageSent>> EditMessage(string threadId, EditMessage edit, ChatService chat)
    {
        ArgumentNullException.ThrowIfNull(chat);
        return chat.EditAsync(UserId, threadId, edit);
    }

    /// <summary>Deletes (recalls) your message, leaving a trace; idempotent by its client message id.</summary>
    public Task<Result<MessageSent>> DeleteMessage(string threadId, DeleteMessage delete, ChatService chat)
    {
        ArgumentNullException.ThrowIfNull(chat);
        return chat.DeleteAsync(UserId, threadId, delete);
    }

    /// <summary>The versions of a message (original and edits), for a member.</summary>
    public Task<Result<MessageEdits>> ReadMessageEdits(string threadId, long seq, ChatService chat)
    {
        ArgumentNullException.ThrowIfNull(chat);
        return chat.ReadEditsAsync(UserId, threadId, seq);
    }
}
