using System.Collections.Immutable;
using Huddle.Contracts.Presence;

namespace Huddle.Web.Presence;

/// <summary>The answer to opening or resuming a team's presence roster: the roster (reset) or the changes after the client's seq.</summary>
public sealed record TeamPresenceReply(long Seq, bool Reset, TeamPresenceSnapshot? Presence, ImmutableArray<TeamPresenceChange> Changes);
