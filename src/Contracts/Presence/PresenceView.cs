namespace Huddle.Contracts.Presence;

/// <summary>
/// A clinician's presence as others see it: the merged <see cref="Status"/> and since when it holds,
/// the status the clinician chose (kept across connections and while offline; null = available),
/// how many connections are live, and until when the clinician stays online if none of them is heard
/// from again (<see cref="OnlineUntil"/>: the last heartbeat plus <c>Huddle:Presence:OfflineAfter</c>;
/// null while offline). A team's roster uses it to know, without asking, who may have gone silent.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.presence")]
public sealed record PresenceView(
    [property: Id(0)] string UserId,
    [property: Id(1)] PresenceStatus Status,
    [property: Id(2)] DateTimeOffset Since,
    [property: Id(3)] PresenceStatus? Chosen,
    [property: Id(4)] int Connections,
    [property: Id(5)] DateTimeOffset? OnlineUntil = null)
{
    /// <summary>A clinician never seen online: offline since the beginning of time.</summary>
    public static PresenceView NeverSeen(string userId) => new(userId, PresenceStatus.Offline, DateTimeOffset.MinValue, null, 0);
}
