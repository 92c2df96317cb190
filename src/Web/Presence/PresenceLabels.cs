using Huddle.Contracts.Presence;

namespace Huddle.Web.Presence;

/// <summary>Presence as clinicians say it.</summary>
public static class PresenceLabels
{
    public static string Of(PresenceStatus status) => status switch
    {
        PresenceStatus.Available => "available",
        PresenceStatus.Busy => "busy",
        PresenceStatus.InSession => "with a patient",
        PresenceStatus.DoNotDisturb => "do not disturb",
        _ => "offline",
    };
}
