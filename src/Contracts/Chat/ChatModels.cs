using System.Collections.Immutable;

namespace Huddle.Contracts.Chat;

/// <summary>What a thread is about, which decides who may read and write it (docs/api.md, "Chat").</summary>
public enum ThreadKind
{
    /// <summary>One per patient: clinicians on any of the patient's care teams.</summary>
    Patient,

    /// <summary>One per care team: the team's clinicians (never a room display).</summary>
    Team,

    /// <summary>Between two clinicians: those two only.</summary>
    Direct,
}

/// <summary>
/// What an entry of a thread's log is: a message, or a durable change acting on the message whose seq it
/// <see cref="ThreadMessage.Refers"/> to. Each part of chat appends its own values, numbered apart so
/// parallel additions never share a number on the wire.
/// </summary>
public enum ThreadEntryKind
{
    /// <summary>A message someone wrote: the only kind unread counts count.</summary>
    Message = 0,

    /// <summary>The sender's new text for the message at <c>Refers</c>; the earlier text is kept (<c>ReadMessageEdits</c>).</summary>
    Edit = 1,

    /// <summary>The sender deleted (recalled) the message at <c>Refers</c>: it stays as a trace, its text is no longer served.</summary>
    Delete = 2,

    /// <summary>The sender acknowledged the acknowledgement-requested message it refers to (docs/api.md, "Acknowledgement requests").</summary>
    Acknowledge = 10,

    /// <summary>
    /// The re-notifications of the acknowledgement request it refers to ran out: the entry's
    /// <see cref="ThreadMessage.Waiting"/> names who had not acknowledged, and the sender was told.
    /// Its sender is <see cref="AckLimits.System"/>.
    /// </summary>
    AckUnanswered = 11,

    /// <summary>
    /// At a re-notification, a role asked to acknowledge the message it refers to, still unanswered, reached
    /// more of the role's holders: those its first ones were not (off duty, on do-not-disturb) and whom the
    /// handoff routing reaches now. The entry's <see cref="ThreadMessage.Ask"/> carries each role with the
    /// clinicians added (<see cref="MessageAsk.Reached"/>, all of them in <see cref="MessageAsk.Recipients"/>);
    /// any holder's acknowledgement answers the role. Its sender is <see cref="AckLimits.System"/>.
    /// </summary>
    AckRerouted = 12,
}

/// <summary>How a message asks to be read (FHIR <c>Communication.priority</c>, narrowed to two).</summary>
public enum MessagePriority
{
    Normal,
    Urgent,
}

/// <summary>
/// A message to send. <see cref="ClientMessageId"/> is the sender's own id for it (1-64 letters,
/// digits, '-', '_' or '.'): sending it again returns the first send's reply and stores nothing, for
/// the thread's life; the same id with other text, priority or asks is refused (<c>op_id_reused</c>).
/// <para>
/// <see cref="AckRequested"/> asks its recipients to acknowledge it; <see cref="Mentions"/> (clinicians
/// of the thread) and <see cref="RoleMentions"/> (roles on a team of the thread) notify them;
/// <see cref="ToRole"/> addresses it to a role on a team ("the BHC on duty"), resolved at send time to
/// the members the handoff routing would reach. At most <see cref="AckLimits.MaxMentions"/> mentions and
/// roles in all (docs/api.md, "Mentions, roles and acknowledgement requests").
/// </para>
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.send-message")]
public sealed record SendMessage(
    [property: Id(0)] string ClientMessageId,
    [property: Id(1)] string Text,
    [property: Id(2)] MessagePriority Priority = MessagePriority.Normal,
    [property: Id(3)] bool AckRequested = false,
    [property: Id(4)] ImmutableArray<string>? Mentions = null,
    [property: Id(5)] ImmutableArray<RoleOnTeam>? RoleMentions = null,
    [property: Id(6)] RoleOnTeam? ToRole = null);

/// <summary>
/// One entry of a thread's log, most often a message. <see cref="Seq"/> is its place in the thread: assigned by the server, gap-free
/// from 1, and the thread feed's seq. <see cref="At"/> is when the server stored it (UTC). <see cref="Number"/> is a
/// message's ordinal among the thread's messages (1 for the first <see cref="ThreadEntryKind.Message"/> entry; 0 for
/// entries of other kinds): unread counts are differences of these numbers.
/// <para>
/// An entry of another <see cref="Kind"/> acts on the message at <see cref="Refers"/> (an edit carries
/// the new text; a delete carries none). A message is always served as it is now: its newest text and
/// <see cref="EditedAt"/> (<see cref="LastEdit"/> = the seq of the edit that text is from), or, once
/// deleted, an empty text with <see cref="DeletedBy"/> and <see cref="DeletedAt"/>; an edit of a deleted
/// message is served without its text too.
/// </para>
/// <para>
/// <see cref="Ask"/> carries what a message asked for (mentions, a role, an acknowledgement) and whom that
/// reached; <see cref="Waiting"/>, on an <see cref="ThreadEntryKind.AckUnanswered"/> entry, who had not acknowledged.
/// </para>
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.thread-message")]
public sealed record ThreadMessage(
    [property: Id(0)] string ThreadId,
    [property: Id(1)] long Seq,
    [property: Id(2)] string SenderId,
    [property: Id(3)] string ClientMessageId,
    [property: Id(4)] string Text,
    [property: Id(5)] MessagePriority Priority,
    [property: Id(6)] DateTimeOffset At,
    [property: Id(7)] ThreadEntryKind Kind = ThreadEntryKind.Message,
    [property: Id(8)] long Refers = 0,
    [property: Id(9)] long Number = 0,
    [property: Id(15)] long LastEdit = 0,
    [property: Id(16)] DateTimeOffset? EditedAt = null,
    [property: Id(17)] string? DeletedBy = null,
    [property: Id(18)] DateTimeOffset? DeletedAt = null,
    [property: Id(11)] MessageAsk? Ask = null,
    [property: Id(12)] ImmutableArray<string>? Waiting = null);

/// <summary>
/// The reply to a send: the message's seq and when it was stored. Returned only once storage accepted
/// it; a resend of the same client message id gets this same reply.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.message-sent")]
public sealed record MessageSent(
    [property: Id(0)] string ThreadId,
    [property: Id(1)] string ClientMessageId,
    [property: Id(2)] long Seq,
    [property: Id(3)] DateTimeOffset At);

/// <summary>
/// One change of a thread feed (<c>thread:{threadId}</c>, event <c>ThreadChanged</c>): the message
/// stored at <see cref="Seq"/>. A change with <see cref="Reset"/> carries no message: re-read.
/// A change with <see cref="RemovedThrough"/> (only ever first in a catch-up, never pushed) carries no
/// message either: the retention (<see cref="Retention"/>) removed every entry up to its seq, which
/// is <see cref="RemovedThrough"/>; the reader's cursor moves to it, and the next change follows it.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.thread-change")]
public sealed record ThreadChange(
    [property: Id(0)] string ThreadId,
    [property: Id(1)] long Seq,
    [property: Id(2)] ThreadMessage? Message,
    [property: Id(3)] bool Reset = false,
    [property: Id(8)] long RemovedThrough = 0,
    [property: Id(9)] TimeSpan? Retention = null);

/// <summary>
/// A thread as opened: its newest messages (at most <see cref="ChatLimits.SnapshotMessages"/>, oldest
/// first), not the whole log. <see cref="More"/> is true when older messages exist: read them with
/// <c>ReadThreadBefore</c> from the first message's seq. <see cref="RemovedThrough"/> (0: none) is the
/// last seq the deployment's <see cref="Retention"/> removed: nothing at or before it can be read.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.thread-snapshot")]
public sealed record ThreadSnapshot(
    [property: Id(0)] ThreadRef Thread,
    [property: Id(1)] long Seq,
    [property: Id(2)] ImmutableArray<ThreadMessage> Messages,
    [property: Id(3)] bool More,
    [property: Id(9)] long RemovedThrough = 0,
    [property: Id(10)] TimeSpan? Retention = null);

/// <summary>
/// Older messages of a thread, oldest first; <see cref="More"/> when there are older ones still. Without
/// more, <see cref="RemovedThrough"/> (0: none) says the retention removed everything up to that seq.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.thread-history")]
public sealed record ThreadHistory(
    [property: Id(0)] string ThreadId,
    [property: Id(1)] ImmutableArray<ThreadMessage> Messages,
    [property: Id(2)] bool More,
    [property: Id(3)] long RemovedThrough = 0,
    [property: Id(4)] TimeSpan? Retention = null);

/// <summary>
/// A thread by id and what it is about: the patient's id, the team's id, or (direct) the other
/// clinician's id as seen by the one asking. Ids only, never names.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.thread-ref")]
public sealed record ThreadRef(
    [property: Id(0)] string ThreadId,
    [property: Id(1)] ThreadKind Kind,
    [property: Id(2)] string SubjectId);
