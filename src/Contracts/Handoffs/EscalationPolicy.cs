namespace Huddle.Contracts.Handoffs;

/// <summary>
/// A team's escalation policy: how long each escalation step waits by priority, the backups,
/// whether role handoffs ping every available member at once instead of the most recently idle one,
/// and whether a stat or asap handoff may reach a member who is offline but has a device that takes
/// pushed pings (<see cref="PushReachesOffline"/>: after the available and busy ones; off by default).
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.escalation-policy")]
public sealed record EscalationPolicy(
    [property: Id(0)] int StatSeconds = 60,
    [property: Id(1)] int AsapSeconds = 120,
    [property: Id(2)] int UrgentSeconds = 300,
    [property: Id(3)] int RoutineSeconds = 900,
    [property: Id(4)] string? Backup1 = null,
    [property: Id(5)] string? Backup2 = null,
    [property: Id(6)] bool PingAllAtOnce = false,
    [property: Id(7)] bool PushReachesOffline = false)
{
    /// <summary>The defaults: stat 1 min, asap 2 min, urgent 5 min, routine 15 min, no backups, one at a time.</summary>
    public static readonly EscalationPolicy Default = new();

    /// <summary>The shortest and longest step a team may configure, in seconds.</summary>
    public const int MinSeconds = 15, MaxSeconds = 3600;

    /// <summary>How long one escalation step of a <paramref name="priority"/> handoff waits.</summary>
    public TimeSpan TargetTime(HandoffPriority priority) => TimeSpan.FromSeconds(priority switch
    {
        HandoffPriority.Stat => StatSeconds,
        HandoffPriority.Asap => AsapSeconds,
        HandoffPriority.Urgent => UrgentSeconds,
        _ => RoutineSeconds,
    });
}
