using System.Collections.Immutable;

namespace Huddle.Contracts.Chat;

/// <summary>
/// The sender's new text for their message at <see cref="Seq"/>: stored as an entry of the thread's log
/// (<see cref="ThreadEntryKind.Edit"/>), the earlier text kept. <see cref="ClientMessageId"/> is the edit's
/// own id, idempotent as a send's: the same id again returns the first reply and stores nothing.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.edit-message")]
public sealed record EditMessage(
    [property: Id(0)] string ClientMessageId,
    [property: Id(1)] long Seq,
    [property: Id(2)] string Text);

/// <summary>
/// The sender deletes (recalls) their message at <see cref="Seq"/>: an entry of the thread's log
/// (<see cref="ThreadEntryKind.Delete"/>). The message stays as a trace ("deleted by … at …"); its text
/// is no longer served. <see cref="ClientMessageId"/> makes it idempotent, as a send's.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.delete-message")]
public sealed record DeleteMessage(
    [property: Id(0)] string ClientMessageId,
    [property: Id(1)] long Seq);

/// <summary>One version of a message's text: the original (<see cref="EntrySeq"/> = the message's seq) or an edit's.</summary>
[GenerateSerializer, Immutable, Alias("huddle.message-version")]
public sealed record MessageVersion(
    [property: Id(0)] long EntrySeq,
    [property: Id(1)] string Text,
    [property: Id(2)] DateTimeOffset At);

/// <summary>
/// The edit history of the message at <see cref="Seq"/>, oldest first (the original, then each edit).
/// A deleted message has no versions: only the trace (<see cref="DeletedBy"/>, <see cref="DeletedAt"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.message-edits")]
public sealed record MessageEdits(
    [property: Id(0)] string ThreadId,
    [property: Id(1)] long Seq,
    [property: Id(2)] string SenderId,
    [property: Id(3)] ImmutableArray<MessageVersion> Versions,
    [property: Id(4)] string? DeletedBy = null,
    [property: Id(5)] DateTimeOffset? DeletedAt = null);
