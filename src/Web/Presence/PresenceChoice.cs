using Huddle.Contracts.Presence;

namespace Huddle.Web.Presence;

/// <summary>Body of <c>PUT /api/presence</c>: the status the signed-in clinician chooses.</summary>
public sealed record PresenceChoice(PresenceStatus Status);
