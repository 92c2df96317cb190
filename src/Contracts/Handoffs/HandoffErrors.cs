using Huddle.Contracts.Common;

namespace Huddle.Contracts.Handoffs;

/// <summary>The handoff-specific error codes (docs/api.md, "Warm handoffs: errors"); the rest are <see cref="ErrorCodes"/>.</summary>
public static class HandoffErrors
{
    /// <summary>Someone else accepted first; the message names them. HTTP 409.</summary>
    public const string AlreadyAccepted = "already_accepted";

    /// <summary>The transition is not allowed from the handoff's status. HTTP 409.</summary>
    public const string IllegalTransition = "illegal_transition";

    /// <summary>Another clinician already has the handoff.</summary>
    public static HuddleError Taken(string acceptedBy) => new(AlreadyAccepted, $"Already accepted by {acceptedBy}.");

    /// <summary><paramref name="op"/> cannot be applied to a handoff that is <paramref name="status"/>.</summary>
    public static HuddleError Illegal(string op, HandoffStatus status) =>
        new(IllegalTransition, $"'{op}' is not allowed on a handoff that is {status.ToString().ToLowerInvariant()}.");
}
