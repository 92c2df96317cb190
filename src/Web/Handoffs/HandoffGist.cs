using System.Collections.Immutable;

namespace Huddle.Web.Handoffs;

/// <summary>
/// What a clinician's own card shows of a handoff beyond its summary (<see cref="LiveInbox.GistAsync"/>): the
/// patient's name (null when not asked for or not readable), the situation, and who declined it and why, so
/// the requester can ask someone else without opening its history.
/// </summary>
public sealed record HandoffGist(string? Patient, string Situation, ImmutableArray<HandoffDecline> Declines);
