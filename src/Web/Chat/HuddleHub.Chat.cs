using System.Collections.Immutable;
using Huddle.Contracts.Chat;
using Huddle.Contracts.Common;
using Huddle.Contracts.Live;
using Huddle.Web.Chat;

namespace Huddle.Web.Live;

/// <summary>
/// The chat hub methods (docs/api.md, "Chat"). A part of the one hub: a thread is a feed, opened,
/// resumed and closed by the hub's one feed pattern; <c>ThreadChanged</c> follows.
/// </summary>
public sealed partial class HuddleHub
{
    /// <summary>Starts receiving <c>ThreadChanged</c> for <paramref name="threadId"/> and returns its newest messages.</summary>
    public Task<Result<FeedReply<ThreadSnapshot, ThreadChange>>> SubscribeThread(string threadId) =>
        OpenFeed<ThreadSnapshot, ThreadChange>(ThreadRoute.FeedOf(threadId), null, FeedPosition.AnyEpoch);

    /// <summary>Like <see cref="SubscribeThread"/> for a client that has the thread up to <paramref name="seq"/> of <paramref name="epoch"/> (its last reply's; 0 = the current one): what it missed, a page at a time.</summary>
    public Task<Result<FeedReply<ThreadSnapshot, ThreadChange>>> ResumeThread(string threadId, long seq, long epoch) =>
        OpenFeed<ThreadSnapshot, ThreadChange>(ThreadRoute.FeedOf(threadId), seq, epoch);

    /// <summary>Stops receiving a thread.</summary>
    public Task UnsubscribeThread(string threadId) => CloseFeed(ThreadRoute.FeedOf(threadId));

    /// <summary>Sends a message; the reply (its seq) comes once storage accepted it, and a resend of its client message id gets the same reply.</summary>
    public Task<Result<MessageSent>> SendMessage(string threadId, SendMessage message, ChatService chat)
    {
        ArgumentNullException.ThrowIfNull(chat);
        return chat.SendAsync(UserId, threadId, message);
    }

    /// <summary>Up to <paramref name="limit"/> messages before seq <paramref name="before"/>: scrolling back.</summary>
    public Task<Result<ThreadHistory>> ReadThreadBefore(string threadId, long before, int limit, ChatService chat)
    {
        ArgumentNullException.ThrowIfNull(chat);
        return chat.ReadBeforeAsync(UserId, threadId, before, limit);
    }

    /// <summary>The direct thread with <paramref name="otherUserId"/>, started when new.</summary>
    public Task<Result<ThreadRef>> StartDirectThread(string otherUserId, ChatService chat)
    {
        ArgumentNullException.ThrowIfNull(chat);
        return chat.StartDirectAsync(UserId, otherUserId);
    }

    /// <summary>The signed-in clinician's threads: their teams', then their thread list.</summary>
    public Task<Result<ImmutableArray<ThreadRef>>> ListThreads(ChatService chat)
    {
        ArgumentNullException.ThrowIfNull(chat);
        return chat.ListAsync(UserId);
    }
}
