using Huddle.Contracts.Common;

namespace Huddle.Contracts.Chat;

/// <summary>
/// A chat thread (key: a <see cref="ThreadIds"/> id), owner of the feed <c>thread:{threadId}</c>
/// whose one audience is <c>members</c>: its messages, numbered by a gap-free seq that is the feed's.
/// Who is a member is decided at every call (the patient's care teams, the team's roster, the two
/// clinicians of a direct thread), so a clinician who left a team can no longer open, read or send.
/// </summary>
public interface IThreadGrain : Live.IFeedGrain, CareTeams.ITeamFollower
{
    /// <summary>The feed kind of a thread.</summary>
    const string Feed = "thread";

    /// <summary>
    /// The feed kind of a thread's receipts (<c>receipts:{threadId}</c>, audience <c>members</c>): its members'
    /// cursors, numbered apart from the thread's log so receipts never consume a message seq.
    /// </summary>
    const string ReceiptsFeed = "receipts";

    /// <summary>
    /// Stores <paramref name="message"/> from <paramref name="userId"/> and returns its seq once storage
    /// accepted it; a client message id already stored answers its first reply and stores nothing.
    /// </summary>
    Task<Result<MessageSent>> SendAsync(string userId, SendMessage message);

    /// <summary>
    /// Acknowledges the acknowledgement-requested message at <paramref name="seq"/> as <paramref name="userId"/>,
    /// one of its recipients: an <see cref="ThreadEntryKind.Acknowledge"/> entry of the log, deduplicated by
    /// <paramref name="clientMessageId"/> as a send is. A second acknowledgement by the same clinician stores
    /// nothing and answers the first one's reply.
    /// </summary>
    Task<Result<MessageSent>> AcknowledgeAsync(string userId, long seq, string clientMessageId);

    /// <summary>Up to <paramref name="limit"/> messages before seq <paramref name="before"/>, oldest first: scrolling back.</summary>
    Task<Result<ThreadHistory>> ReadBeforeAsync(string userId, long before, int limit);

    /// <summary>
    /// Starts (or finds) the direct thread of <paramref name="userId"/> and <paramref name="otherId"/>:
    /// the grain's key must be their <see cref="ThreadIds.ForDirect"/> id and both must be clinicians.
    /// </summary>
    Task<Result<ThreadRef>> StartDirectAsync(string userId, string otherId);

    /// <summary>
    /// Checks a cursor report of <paramref name="userId"/> (asked by their own grain before it stores it):
    /// they are a member, and <paramref name="delivered"/> and <paramref name="read"/> are at most the head.
    /// Answers the head and the message count at <paramref name="read"/>. Reads only.
    /// </summary>
    [Audit.NotAudited("A read-cursor check: answers positions in the thread, no message; the reads of its messages are audited.")]
    Task<Result<CursorCheck>> CheckCursorAsync(string userId, long delivered, long read);

    /// <summary>
    /// Takes a member's cursors as their own grain stored them into the thread's copy (newer wins), from
    /// which the receipts feed is published. A non-member's is ignored, and so are cursors counted in
    /// another <paramref name="epoch"/> than the thread's (<see cref="ThreadHead.Epoch"/>; 0: not known).
    /// </summary>
    Task TakeCursorAsync(MemberCursor cursor, long epoch);

    /// <summary>
    /// The head as <paramref name="userId"/>'s own grain would be told it (<see cref="IThreadListGrain.TakeHeadAsync"/>):
    /// asked by that grain on activation for a thread whose head it may have held in memory only. Refused
    /// for a non-member. Reads only.
    /// </summary>
    Task<Result<ThreadHead>> HeadForAsync(string userId);

    /// <summary>
    /// Stores <paramref name="userId"/>'s edit of their own message as an entry of the log (docs/api.md,
    /// "Edits, deletes and retention"); idempotent by the edit's client message id.
    /// </summary>
    Task<Result<MessageSent>> EditAsync(string userId, EditMessage edit);

    /// <summary>Stores <paramref name="userId"/>'s delete (recall) of their own message as an entry of the log; idempotent by its client message id.</summary>
    Task<Result<MessageSent>> DeleteAsync(string userId, DeleteMessage delete);

    /// <summary>The edit history of the message at <paramref name="seq"/>, for a member.</summary>
    Task<Result<MessageEdits>> ReadEditsAsync(string userId, long seq);

    /// <summary>The thread as <paramref name="userId"/> sees it, when they may.</summary>
    Task<Result<ThreadRef>> DescribeAsync(string userId);
}
