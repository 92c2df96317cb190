namespace Huddle.Grains.Presence;

/// <summary>Presence tunables (configuration section <c>Huddle:Presence</c>).</summary>
public sealed class PresenceOptions
{
    /// <summary>
    /// How long a connection counts without a heartbeat. Clients send one every 20 s
    /// (docs/api.md), so two missed heartbeats never make a clinician offline, three do.
    /// </summary>
    public TimeSpan OfflineAfter { get; set; } = TimeSpan.FromSeconds(60);
}
