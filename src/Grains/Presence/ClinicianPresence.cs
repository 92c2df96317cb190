using System.Collections.Immutable;
using Huddle.Contracts.Common;
using Huddle.Contracts.Presence;

namespace Huddle.Grains.Presence;

/// <summary>
/// The presence rules, plain C#: a clinician's live connections (each with when it was last heard
/// from), the status they chose, and the merged status with since when it holds. Any live connection
/// makes them online (their chosen status, or available); none makes them offline. Every method
/// returns a new value; <see cref="Status"/> and <see cref="Since"/> move only when the merged status
/// really changes, so "available since 09:12" survives a second device connecting.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.clinician-presence")]
public sealed record ClinicianPresence(
    [property: Id(0)] ImmutableDictionary<string, DateTimeOffset> Connections,
    [property: Id(1)] PresenceStatus? Chosen,
    [property: Id(2)] PresenceStatus Status,
    [property: Id(3)] DateTimeOffset Since)
{
    /// <summary>Someone never seen: offline since the beginning of time.</summary>
    public static readonly ClinicianPresence Unknown =
        new(ImmutableDictionary<string, DateTimeOffset>.Empty, null, PresenceStatus.Offline, DateTimeOffset.MinValue);

    /// <summary>A connection opened, or was heard from again.</summary>
    public ClinicianPresence Connect(string connectionId, DateTimeOffset now) =>
        Merge(Connections.SetItem(connectionId, now), Chosen, now);

    /// <summary>A connection closed; unknown ones change nothing.</summary>
    public ClinicianPresence Disconnect(string connectionId, DateTimeOffset now) =>
        Connections.ContainsKey(connectionId) ? Merge(Connections.Remove(connectionId), Chosen, now) : this;

    /// <summary>
    /// Drops the connections not heard from for <paramref name="offlineAfter"/>: a host that died
    /// never says its connections closed, so silence is how they end.
    /// </summary>
    public ClinicianPresence Expire(DateTimeOffset now, TimeSpan offlineAfter)
    {
        var stale = Connections.Where(c => now - c.Value >= offlineAfter).Select(c => c.Key).ToList();
        return stale.Count == 0 ? this : Merge(Connections.RemoveRange(stale), Chosen, now);
    }

    /// <summary>The clinician chooses a status (available clears the choice); offline cannot be chosen.</summary>
    public Result<ClinicianPresence> Choose(PresenceStatus status, DateTimeOffset now) => status switch
    {
        PresenceStatus.Offline => HuddleError.Invalid("'offline' follows from having no connection; it cannot be chosen."),
        PresenceStatus.Available => Merge(Connections, null, now),
        _ when Enum.IsDefined(status) => Merge(Connections, status, now),
        _ => HuddleError.Invalid($"'{status}' is not a presence status."),
    };

    /// <summary>When the next connection falls silent for good, or null with none.</summary>
    public DateTimeOffset? NextExpiry(TimeSpan offlineAfter) =>
        Connections.IsEmpty ? null : Connections.Values.Min() + offlineAfter;

    /// <summary>The view others read; online until the last-heard connection falls silent for <paramref name="offlineAfter"/>.</summary>
    public PresenceView View(string userId, TimeSpan offlineAfter) =>
        new(userId, Status, Since, Chosen, Connections.Count, Connections.IsEmpty ? null : Connections.Values.Max() + offlineAfter);

    private ClinicianPresence Merge(ImmutableDictionary<string, DateTimeOffset> connections, PresenceStatus? chosen, DateTimeOffset now)
    {
        var status = connections.IsEmpty ? PresenceStatus.Offline : chosen ?? PresenceStatus.Available;
        return new ClinicianPresence(connections, chosen, status, status == Status ? Since : now);
    }
}
