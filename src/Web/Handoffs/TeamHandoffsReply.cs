using System.Collections.Immutable;
using Huddle.Contracts.Handoffs;

namespace Huddle.Web.Handoffs;

/// <summary>The answer to opening or resuming a team's open handoffs: the snapshot (reset) or the changes after the client's seq.</summary>
public sealed record TeamHandoffsReply(long Seq, bool Reset, TeamHandoffsSnapshot? Handoffs, ImmutableArray<TeamHandoffsChange> Changes);
