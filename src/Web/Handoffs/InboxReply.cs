using System.Collections.Immutable;
using Huddle.Contracts.Handoffs;

namespace Huddle.Web.Handoffs;

/// <summary>
/// The answer to opening or resuming an inbox: its seq, then either <see cref="Inbox"/> (reset: start
/// from it) or the changes after the seq the client had, in order.
/// </summary>
public sealed record InboxReply(long Seq, bool Reset, InboxSnapshot? Inbox, ImmutableArray<InboxChange> Changes);
