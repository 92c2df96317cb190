namespace Huddle.Contracts.Presence;

/// <summary>
/// A clinician's presence, merged across every connection and device (offline once every one has gone
/// quiet); handoff routing reads it and the board shows it. On the
/// wire as camelCase strings: <c>available</c>, <c>busy</c>, <c>inSession</c>, <c>doNotDisturb</c>,
/// <c>offline</c>.
/// </summary>
public enum PresenceStatus
{
    /// <summary>Online and free: handoff routing pings them first.</summary>
    Available,

    /// <summary>Online and occupied, but reachable: pinged after the available ones.</summary>
    Busy,

    /// <summary>With a patient (set by joining a handoff, or by hand): never pinged by role routing.</summary>
    InSession,

    /// <summary>Chosen by the clinician: never pinged by role routing.</summary>
    DoNotDisturb,

    /// <summary>No live connection (the last one closed, or its heartbeats stopped).</summary>
    Offline,
}
