using Huddle.Contracts.Chat;

namespace Huddle.Web.Chat;

/// <summary>
/// The live copy's folds (docs/api.md, "Edits, deletes and retention"): an edit or a delete is no item of
/// its own; it changes the message it refers to. One whose message is not held yet (scrolling back loads
/// older entries, so it arrives first) is kept until the message comes.
/// </summary>
public sealed partial class LiveThread
{
    /// <summary>Edits and deletes waiting for their message, by its seq: the newest edit and any delete.</summary>
    private readonly Dictionary<long, (ThreadMessage? Edit, ThreadMessage? Delete)> _folds = [];

    /// <summary>Folds an edit or delete into its held message, or keeps it for when that message is loaded.</summary>
    private void Fold(ThreadMessage entry)
    {
        if (entry.Kind is not (ThreadEntryKind.Edit or ThreadEntryKind.Delete))
        {
            // Another kind of entry (an acknowledgement, say) is not shown here.
            return;
        }

        var at = _messages.FindIndex(m => m.Seq == entry.Refers);
        if (at >= 0)
        {
            _messages[at] = Apply(_messages[at], entry);
            return;
        }

        if (_folds.Count >= MaxHeld && !_folds.ContainsKey(entry.Refers))
        {
            // Bounded like the messages: the message, once loaded, is served as it is now anyway.
            return;
        }

        var (edit, delete) = _folds.GetValueOrDefault(entry.Refers);
        _folds[entry.Refers] = entry.Kind == ThreadEntryKind.Delete
            ? (edit, entry)
            : (edit is null || edit.Seq < entry.Seq ? entry : edit, delete);
    }

    /// <summary>The messages among <paramref name="entries"/>, each with the folds kept for it; the other entries folded in.</summary>
    private List<ThreadMessage> Folded(IEnumerable<ThreadMessage> entries)
    {
        var list = entries.ToList();
        var messages = new List<ThreadMessage>();
        foreach (var entry in list.Where(e => e.Kind == ThreadEntryKind.Message))
        {
            var message = entry;
            if (_folds.Remove(entry.Seq, out var kept))
            {
                message = kept.Edit is { } edit ? Apply(message, edit) : message;
                message = kept.Delete is { } delete ? Apply(message, delete) : message;
            }

            messages.Add(message);
        }

        // Entries of the same batch act on its messages (or are kept): applied after them, in order.
        var held = _messages;
        foreach (var entry in list.Where(e => e.Kind != ThreadEntryKind.Message))
        {
            var at = messages.FindIndex(m => m.Seq == entry.Refers);
            if (at >= 0)
            {
                messages[at] = Apply(messages[at], entry);
            }
            else if (held.FindIndex(m => m.Seq == entry.Refers) is var h and >= 0)
            {
                held[h] = Apply(held[h], entry);
            }
            else
            {
                Fold(entry);
            }
        }

        return messages;
    }

    /// <summary><paramref name="message"/> after <paramref name="entry"/>: an edit newer than its text, or a delete.</summary>
    public static ThreadMessage Apply(ThreadMessage message, ThreadMessage entry)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(entry);
        return entry.Kind switch
        {
            ThreadEntryKind.Delete when message.DeletedBy is null =>
                message with { Text = "", DeletedBy = entry.SenderId, DeletedAt = entry.At },
            ThreadEntryKind.Edit when message.DeletedBy is null && entry.DeletedBy is null && entry.Seq > message.LastEdit =>
                message with { Text = entry.Text, LastEdit = entry.Seq, EditedAt = entry.At },
            _ => message,
        };
    }
}
