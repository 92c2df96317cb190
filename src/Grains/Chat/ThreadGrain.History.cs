using System.Collections.Immutable;
using Huddle.Contracts.Chat;
using Huddle.Contracts.Common;
using Huddle.Grains.Common;
using Microsoft.Extensions.Logging;

namespace Huddle.Grains.Chat;

/// <summary>
/// A thread's history: edits and deletes (recalls) by the sender, each an entry of the log written as
/// a send is (one row write, deduplicated by its client message id, paged, synced). The entries stay
/// in the log, so every earlier text is kept; what is served folds them into their message (its newest
/// text, or none once deleted). The entries acting on a message that left the row are found through
/// its amendment page (stream <c>amends</c>, keyed by the message's seq), written before the log page
/// holding them, so no row grows with a message's edits and an old message is served as it is now.
/// </summary>
public sealed partial class ThreadGrain
{
    private const string AmendsStream = "amends";

    public async Task<Result<MessageSent>> EditAsync(string userId, EditMessage edit)
    {
        ArgumentNullException.ThrowIfNull(edit);
        // Validated as a send is: the same id rules and the same text limits.
        if (Invalid(new SendMessage(edit.ClientMessageId, edit.Text)) is { } invalid)
        {
            LogRejected(ThreadId, userId, invalid.Code);
            return invalid;
        }

        return await AmendAsync(userId, edit.ClientMessageId, edit.Seq, ClientIds.EditHashOf(edit.Seq, edit.Text), ThreadEntryKind.Edit, edit.Text);
    }

    public async Task<Result<MessageSent>> DeleteAsync(string userId, DeleteMessage delete)
    {
        ArgumentNullException.ThrowIfNull(delete);
        if (!Ids.IsValid(delete.ClientMessageId))
        {
            LogRejected(ThreadId, userId, ErrorCodes.ValidationFailed);
            return HuddleError.InvalidId("A clientMessageId");
        }

        return await AmendAsync(userId, delete.ClientMessageId, delete.Seq, ClientIds.DeleteHashOf(delete.Seq), ThreadEntryKind.Delete, "");
    }

    public async Task<Result<MessageEdits>> ReadEditsAsync(string userId, long seq)
    {
        if (await RefuseAsync(userId) is { } denied)
        {
            return denied;
        }

        if (await TargetAsync(seq) is not { } found)
        {
            return HuddleError.NotFound("A message at seq", seq.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var (message, acting) = found;
        if (acting.FirstOrDefault(a => a.Kind == ThreadEntryKind.Delete) is { } deleted)
        {
            // The trace only: a deleted message's texts are no longer served, its versions with them.
            return new MessageEdits(ThreadId, seq, message.SenderId, [], deleted.SenderId, deleted.At);
        }

        return new MessageEdits(ThreadId, seq, message.SenderId,
        [
            new MessageVersion(message.Seq, message.Text, message.At),
            .. acting.Where(a => a.Kind == ThreadEntryKind.Edit).Select(e => new MessageVersion(e.Seq, e.Text, e.At)),
        ]);
    }

    /// <summary>Checks and stores an edit or a delete of the message at <paramref name="seq"/> by <paramref name="userId"/>.</summary>
    private async Task<Result<MessageSent>> AmendAsync(string userId, string clientMessageId, long seq, string hash, ThreadEntryKind kind, string text)
    {
        var members = await MembersAsync();
        if (Refusal(userId, members) is { } denied)
        {
            LogRejected(ThreadId, userId, denied.Code);
            return denied;
        }

        // A resend first: it gets its first reply even if the message was deleted since.
        if (await EarlierAsync(userId, clientMessageId, hash) is { } earlier)
        {
            return earlier;
        }

        if (await TargetAsync(seq) is not { } found)
        {
            LogRejected(ThreadId, userId, ErrorCodes.NotFound);
            return HuddleError.NotFound("A message at seq", seq.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var (message, acting) = found;
        var refusal = message.SenderId != userId
            ? HuddleError.Forbidden(kind == ThreadEntryKind.Edit ? "Only its sender can edit a message." : "Only its sender can delete a message.")
            : acting.Any(a => a.Kind == ThreadEntryKind.Delete)
                ? HuddleError.State("The message was deleted.")
                : kind == ThreadEntryKind.Edit && acting.Count(a => a.Kind == ThreadEntryKind.Edit) >= ChatLimits.MaxEdits
                    ? HuddleError.Limit($"A message can be edited at most {ChatLimits.MaxEdits} times.")
                    : null;
        if (refusal is not null)
        {
            LogRejected(ThreadId, userId, refusal.Code);
            return refusal;
        }

        state.State.Amended = true;
        var sent = await AppendAsync(
            next => new ThreadMessage(ThreadId, next, userId, clientMessageId, text, message.Priority, clock.UtcNow, kind, seq), members!);
        LogAmended(ThreadId, sent.Seq, kind, seq);
        return sent;
    }

    /// <summary>
    /// The message at <paramref name="seq"/> as stored and the entries acting on it (oldest first), or
    /// null when there is no message there (out of range, or another kind of entry).
    /// </summary>
    private async Task<(ThreadMessage Message, List<ThreadMessage> Acting)?> TargetAsync(long seq)
    {
        if (seq < 1 || seq > _stored.Seq)
        {
            return null;
        }

        var entries = await ReadRangeAsync(seq, seq);
        if (entries.IsEmpty || entries[0] is not { Kind: ThreadEntryKind.Message } message)
        {
            return null;
        }

        var acting = await AmendersAsync([seq]);
        return (message, acting.GetValueOrDefault(seq) ?? []);
    }

    /// <summary>
    /// <paramref name="entries"/> as members are served them: each message folded with the edits and
    /// delete acting on it, wherever those are (<see cref="MessageFolds.Serve"/>).
    /// </summary>
    private async Task<ImmutableArray<ThreadMessage>> ServeAsync(ImmutableArray<ThreadMessage> entries)
    {
        if (entries.IsEmpty)
        {
            return entries;
        }

        var targets = entries.Select(e => e.Kind switch
        {
            ThreadEntryKind.Message => e.Seq,
            ThreadEntryKind.Edit => e.Refers,
            _ => 0,
        }).Where(t => t > 0).Distinct().ToList();
        var acting = await AmendersAsync(targets);
        var removed = _removedThrough;
        // An edit whose message the retention removed has nothing to fold into: served without its text
        // (the message's delete, if any, went with it).
        return acting.Count == 0 && !entries.Any(e => e.Kind == ThreadEntryKind.Edit && e.Refers <= removed)
            ? entries
            : [.. entries.Select(e => e.Kind == ThreadEntryKind.Edit && e.Refers <= removed ? e with { Text = "" } : MessageFolds.Serve(e, acting))];
    }

    /// <summary>
    /// The edits and deletes acting on each of <paramref name="targets"/>, oldest first: those held in memory,
    /// and, for a message that left it, those in its amendment page (one range query per run of nearby
    /// targets; none at all in a thread never edited).
    /// </summary>
    private async Task<Dictionary<long, List<ThreadMessage>>> AmendersAsync(IReadOnlyCollection<long> targets)
    {
        var acting = new Dictionary<long, List<ThreadMessage>>();
        var tail = _stored.Tail;
        var wanted = targets.ToHashSet();
        void Add(ThreadMessage entry)
        {
            if (!acting.TryGetValue(entry.Refers, out var list))
            {
                acting[entry.Refers] = list = [];
            }

            if (list.All(e => e.Seq != entry.Seq))
            {
                list.Add(entry);
            }
        }

        if (!state.State.Amended)
        {
            return acting;
        }

        // A message memory holds has everything acting on it held too (entries only follow it, and memory
        // holds every entry from its first up to the thread's seq).
        var held = HeldFrom;
        var paged = wanted.Where(t => t < held).Order().ToList();
        for (var i = 0; i < paged.Count;)
        {
            var j = i;
            while (j + 1 < paged.Count && paged[j + 1] - paged[i] < PageSize)
            {
                j++;
            }

            await foreach (var page in history.ReadPagesAsync<MessageAmends>(this.GetGrainId(), AmendsStream, paged[i], paged[j]))
            {
                foreach (var entry in page.Content.Entries.Where(e => wanted.Contains(e.Refers)))
                {
                    Add(entry);
                }
            }

            i = j + 1;
        }

        foreach (var entry in tail.Where(e => MessageFolds.IsAmend(e) && wanted.Contains(e.Refers)))
        {
            Add(entry);
        }

        foreach (var list in acting.Values)
        {
            list.Sort((a, b) => a.Seq.CompareTo(b.Seq));
        }

        return acting;
    }

    /// <summary>Adds the edits and deletes of a log page to the amendment pages of the messages they act on (read, merge, upsert).</summary>
    private Task WriteAmendsAsync(ImmutableArray<ThreadMessage> page) =>
        Task.WhenAll(page.Where(MessageFolds.IsAmend).GroupBy(e => e.Refers).Select(async group =>
        {
            var entries = new List<ThreadMessage>();
            await foreach (var stored in history.ReadPagesAsync<MessageAmends>(this.GetGrainId(), AmendsStream, group.Key, group.Key))
            {
                entries.AddRange(stored.Content.Entries);
            }

            entries.AddRange(group.Where(e => entries.All(x => x.Seq != e.Seq)));
            await history.WritePageAsync(this.GetGrainId(), AmendsStream, group.Key, new MessageAmends([.. entries.OrderBy(e => e.Seq)]));
        }));

    [LoggerMessage(Level = LogLevel.Information, Message = "Thread {ThreadId} entry {Seq} ({Kind}) acts on message {Refers}")]
    private partial void LogAmended(string threadId, long seq, ThreadEntryKind kind, long refers);
}
