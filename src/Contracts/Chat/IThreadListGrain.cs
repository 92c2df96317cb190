using System.Collections.Immutable;
using Huddle.Contracts.Common;

namespace Huddle.Contracts.Chat;

/// <summary>
/// A clinician's own chat grain (key: the user id). It lists the threads they took part in besides
/// their teams' (direct threads started with them, patient threads they wrote in: a hint, each thread
/// checks membership itself), and it owns their **cursors**: per thread their delivered and read seq
/// and the thread's head as last told, from which it computes their unread counts and publishes them
/// as the feed <c>unread:{userId}</c> (audience <c>user:{userId}</c>), numbered and coalesced (docs/architecture.md,
/// "Receipts and unread counts").
/// </summary>
public interface IThreadListGrain : Live.IFeedGrain
{
    /// <summary>The feed kind of a clinician's unread counts.</summary>
    const string UnreadFeed = "unread";

    /// <summary>Adds <paramref name="thread"/> (first in the list) when it is not listed yet; at most <see cref="ChatLimits.MaxListedThreads"/> kept.</summary>
    Task AddAsync(ThreadRef thread);

    /// <summary>
    /// The clinician lost a team (their user grain tells, before it stores the change): every thread with
    /// cursors here is asked again, marked so that an activation asks it too, and one that refuses them
    /// is dropped from their counts and their list. Idempotent.
    /// </summary>
    Task AccessLostAsync();

    /// <summary>The listed threads, most recently added first.</summary>
    [AlwaysInterleave]
    Task<ImmutableArray<ThreadRef>> GetAsync();

    /// <summary>
    /// A device of this clinician reports that <paramref name="threadId"/> reached it up to seq
    /// <paramref name="delivered"/> and was shown on its screen up to seq <paramref name="read"/> (0: no
    /// news). Cursors only move forward: a late or repeated report changes nothing. The thread checks
    /// membership and that both are at most its head; refused reports change nothing. <paramref name="epoch"/>
    /// is the thread's feed epoch the seqs count in (0: not known); a report of another epoch than the one
    /// held is always checked with the thread, never answered as late, and one of another epoch than the
    /// thread's moves nothing.
    /// </summary>
    Task<Result<ThreadCursors>> ReportAsync(string threadId, long delivered, long read, long epoch = 0);

    /// <summary>
    /// Called by a thread: its head, and this clinician's cursors as the thread knows them. The newest
    /// head wins; returns this clinician's cursors in the thread as stored here (the thread's copy
    /// takes them), once stored. A head alone may be held in memory only: the row then marks the thread,
    /// and an activation asks it its head again (<see cref="IThreadGrain.HeadForAsync"/>).
    /// </summary>
    Task<MemberCursor> TakeHeadAsync(ThreadHead head);
}
