namespace Huddle.Web.Handoffs;

/// <summary>One decline of a handoff (<see cref="HandoffGist"/>): who (a user id) and the reason they gave.</summary>
public sealed record HandoffDecline(string UserId, string Reason);
