using System.Collections.Immutable;
using Huddle.Contracts.Chat;

namespace Huddle.Grains.Chat;

/// <summary>
/// The entries that act on one message (stream <c>amends</c>, page = the message's seq): its edits and
/// its delete, as stored in the log, oldest first. Written (read, merge, upsert) before the log page
/// that holds them, so a message read from a page is served as it is now however far back it lies. At
/// most <see cref="ChatLimits.MaxEdits"/> edits and one delete: about 250 KB at 4,000 characters each.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.message-amends")]
public sealed record MessageAmends([property: Id(0)] ImmutableArray<ThreadMessage> Entries);

/// <summary>How a message is served once edits and a delete act on it (plain rules, no storage).</summary>
public static class MessageFolds
{
    /// <summary>True for an entry that acts on another: an edit or a delete.</summary>
    public static bool IsAmend(ThreadMessage entry) =>
        entry?.Kind is ThreadEntryKind.Edit or ThreadEntryKind.Delete;

    /// <summary>
    /// <paramref name="entry"/> as it is served, given the entries that act on the message it is (a
    /// message) or it refers to (an edit): a message shows its newest text, or no text once deleted; an
    /// edit of a deleted message shows no text. Other entries are served as stored.
    /// </summary>
    public static ThreadMessage Serve(ThreadMessage entry, IReadOnlyDictionary<long, List<ThreadMessage>> amenders)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(amenders);
        switch (entry.Kind)
        {
            case ThreadEntryKind.Message when amenders.TryGetValue(entry.Seq, out var acting):
                var lastEdit = acting.Where(a => a.Kind == ThreadEntryKind.Edit).MaxBy(a => a.Seq);
                var delete = acting.FirstOrDefault(a => a.Kind == ThreadEntryKind.Delete);
                return entry with
                {
                    Text = delete is not null ? "" : lastEdit?.Text ?? entry.Text,
                    LastEdit = lastEdit?.Seq ?? 0,
                    EditedAt = lastEdit?.At,
                    DeletedBy = delete?.SenderId,
                    DeletedAt = delete?.At,
                };
            case ThreadEntryKind.Edit when amenders.TryGetValue(entry.Refers, out var acting)
                && acting.FirstOrDefault(a => a.Kind == ThreadEntryKind.Delete) is { } deleted:
                return entry with { Text = "", DeletedBy = deleted.SenderId, DeletedAt = deleted.At };
            default:
                return entry;
        }
    }
}
