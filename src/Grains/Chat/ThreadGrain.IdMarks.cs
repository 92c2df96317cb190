using Huddle.Contracts.Chat;

namespace Huddle.Grains.Chat;

/// <summary>
/// Id marks: a send whose client id is new should not pay a storage read to learn that it is. Once a
/// thread's first page has left the row, an id not in the row could still be in a stored client-id row
/// (a resend days later), so every such send used to read one row before its write: two storage calls
/// where one write makes it durable. The row keeps, per sender, the greatest client id they stored
/// (ordinal order; <see cref="ThreadState.IdMarks"/>). Marks only grow and are written with the entry,
/// so a mark is never below an id its sender stored: an id that sorts after its sender's mark, or a
/// sender with no mark in a thread whose every sender has one (<see cref="ThreadState.IdMarksComplete"/>),
/// cannot be a resend, and the send skips the read. A client whose ids sort upward (UUIDv7, ULID, a
/// padded counter: what the web client sends) gets that on every new message; any other id still works,
/// at the cost of the read. A guess the marks cannot make is never wrong: it falls back to the read.
/// <para>
/// Hand-written, not a library's: a Bloom filter in the row would also never call a stored id new, and it
/// would serve random ids too, but it must grow with the thread or saturate until every send reads again;
/// the marks stay bounded (one id per sender, at most <see cref="MaxIdMarks"/> senders) and serve every
/// send of a client whose ids sort upward.
/// </para>
/// </summary>
public sealed partial class ThreadGrain
{
    /// <summary>The most senders a thread keeps marks for; a thread with more senders ever takes the read for the rest.</summary>
    public const int MaxIdMarks = 64;

    /// <summary>True when no entry <paramref name="userId"/> stored in this thread can carry <paramref name="clientMessageId"/>.</summary>
    private bool NewByMarks(string userId, string clientMessageId) =>
        state.State.IdMarks.TryGetValue(userId, out var mark)
            ? string.CompareOrdinal(clientMessageId, mark) > 0
            : state.State.IdMarksComplete;

    /// <summary>Moves the marks for <paramref name="stored"/>, staged for its write; returns the undo.</summary>
    private Action StageIdMark(ThreadMessage stored)
    {
        var (marks, complete) = (state.State.IdMarks, state.State.IdMarksComplete);
        if (marks.TryGetValue(stored.SenderId, out var mark))
        {
            if (string.CompareOrdinal(stored.ClientMessageId, mark) > 0)
            {
                state.State.IdMarks = marks.SetItem(stored.SenderId, stored.ClientMessageId);
            }
        }
        else if (complete)
        {
            // A first entry of this sender: a mark, unless the bound is reached (then the marks are no
            // longer complete: a sender without one may have sent, and is looked up).
            if (marks.Count < MaxIdMarks)
            {
                state.State.IdMarks = marks.Add(stored.SenderId, stored.ClientMessageId);
            }
            else
            {
                state.State.IdMarksComplete = false;
            }
        }

        // An incomplete thread's sender without a mark stays without one: their earlier ids are unknown.
        return () => (state.State.IdMarks, state.State.IdMarksComplete) = (marks, complete);
    }
}
