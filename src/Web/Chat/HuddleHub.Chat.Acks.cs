using Huddle.Contracts.Chat;
using Huddle.Contracts.Common;
using Huddle.Web.Chat;

namespace Huddle.Web.Live;

/// <summary>Acknowledgement requests over the hub (docs/api.md, "Mentions, roles and acknowledgement requests").</summary>
public sealed partial class HuddleHub
{
    /// <summary>
    /// Acknowledges the acknowledgement-requested message at <paramref name="seq"/>, as one of its recipients: the reply
    /// (once stored) is the acknowledgement's log entry; a resend of <paramref name="clientMessageId"/> or a second
    /// acknowledgement gets the first reply. <c>ThreadChanged</c> carries it to every member's screens.
    /// </summary>
    public Task<Result<MessageSent>> AcknowledgeMessage(string threadId, long seq, string clientMessageId, ChatService chat)
    {
        ArgumentNullException.ThrowIfNull(chat);
        return chat.AcknowledgeAsync(UserId, threadId, seq, clientMessageId);
    }
}
