namespace Huddle.Grains.Presence;

/// <summary>
/// A presence grain's persisted state, written when the merged status or the chosen one changes (not on
/// every heartbeat): the chosen status survives a restart, and connections stored before a restart
/// simply expire unless their clients keep sending heartbeats.
/// </summary>
[GenerateSerializer, Alias("huddle.presence-state")]
public sealed class PresenceState
{
    [Id(0)]
    public ClinicianPresence Presence { get; set; } = ClinicianPresence.Unknown;
}
