using System.Collections.Immutable;

namespace Huddle.Contracts.Handoffs;

/// <summary>
/// One change of a clinician's inbox feed (<c>inbox:{userId}</c>, event <c>HandoffInboxChanged</c>):
/// a handoff they were pinged for or requested, as it now stands. <see cref="Ping"/> is true when this
/// change asks them to answer; <see cref="Notice"/> is the PHI-free text to show or speak. A change
/// with <see cref="Reset"/> carries no item: re-read the inbox.
/// <para>
/// A change with <see cref="Hint"/> is the ping sent straight after the handoff's own durable write,
/// before the inbox has written and numbered it: its <see cref="Seq"/> is 0 (a client that drops
/// what is not newer than its seq ignores it safely). Keep its item when its version is newer than the
/// one held, do not move the seq, and show a ping once per handoff version: the numbered change
/// with the same version follows.
/// </para>
/// <para>
/// A change with <see cref="Chat"/> carries a chat notification instead of a handoff (<see cref="Item"/> is
/// null; <see cref="Notice"/> is the notification's PHI-free text): a mention, an urgent message, a message
/// to the recipient's role, an acknowledgement request or its reminder. Show it once per
/// <see cref="Chat.ChatNotice.Key"/>; its hint (seq 0) and the numbered change carry the same key.
/// </para>
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.inbox-change")]
public sealed record InboxChange(
    [property: Id(0)] string UserId,
    [property: Id(1)] long Seq,
    [property: Id(2)] HandoffSummary? Item,
    [property: Id(3)] bool Ping,
    [property: Id(4)] string? Notice,
    [property: Id(5)] DateTimeOffset At,
    [property: Id(6)] bool Reset = false,
    [property: Id(7)] bool Hint = false,
    [property: Id(8)] Chat.ChatNotice? Chat = null);

/// <summary>A clinician's inbox: their open handoffs and the most recent closed ones, newest first.</summary>
[GenerateSerializer, Immutable, Alias("huddle.inbox")]
public sealed record InboxSnapshot(
    [property: Id(0)] string UserId,
    [property: Id(1)] long Seq,
    [property: Id(2)] ImmutableArray<HandoffSummary> Items);

/// <summary>
/// One change of a team's open handoffs (<c>handoffs:{teamId}</c>, event <c>TeamHandoffsChanged</c>), for
/// the board and the room display alike (a summary carries no patient data). An item that is no longer
/// open leaves the list. A change with <see cref="Reset"/> carries no item: re-read.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.team-handoffs-change")]
public sealed record TeamHandoffsChange(
    [property: Id(0)] string TeamId,
    [property: Id(1)] long Seq,
    [property: Id(2)] HandoffSummary? Item,
    [property: Id(3)] DateTimeOffset At,
    [property: Id(4)] bool Reset = false);

/// <summary>A team's open handoffs (and scheduled referrals), oldest first.</summary>
[GenerateSerializer, Immutable, Alias("huddle.team-handoffs")]
public sealed record TeamHandoffsSnapshot(
    [property: Id(0)] string TeamId,
    [property: Id(1)] long Seq,
    [property: Id(2)] ImmutableArray<HandoffSummary> Items,
    [property: Id(3)] EscalationPolicy Policy);
