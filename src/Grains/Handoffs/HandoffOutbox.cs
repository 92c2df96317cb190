using System.Collections.Immutable;
using Huddle.Contracts.Handoffs;

namespace Huddle.Grains.Handoffs;

/// <summary>
/// What a handoff's grain owes others after a stored change, plain C#: every involved inbox (the
/// requester's and everyone pinged), the team's desk and the patient each owe the new version, and each clinician
/// pinged by this change a push to their devices (<see cref="TellReceiver.Push"/>). The
/// outbox is written in the same state write as the change, and an entry leaves it only when its
/// receiver acknowledged that version or a newer one, so a tell lost to a failure is sent again, never
/// dropped. One entry per receiver: a newer change replaces an older debt (the receiver is sent the
/// current handoff anyway); a ping still owed stays owed while the handoff asks for an answer.
/// </summary>
public static class HandoffOutbox
{
    /// <summary>
    /// <paramref name="outbox"/> with what <paramref name="handoff"/> (just stored) owes, pinged inboxes first;
    /// with <paramref name="presenceOf"/>, the presence of the clinician whose join or completion it stores.
    /// </summary>
    public static ImmutableArray<OwedTell> Owe(ImmutableArray<OwedTell> outbox, Handoff handoff, IReadOnlyCollection<string> pinged, string? presenceOf = null)
    {
        ArgumentNullException.ThrowIfNull(handoff);
        ArgumentNullException.ThrowIfNull(pinged);
        var held = (outbox.IsDefault ? [] : outbox).ToDictionary(t => (t.Receiver, t.Key));
        // A ping is owed while the handoff still asks for an answer and this clinician has not said no.
        bool Pings(string userId) => handoff.Status == HandoffStatus.Requested && !handoff.Declined.Contains(userId)
            && (pinged.Contains(userId) || (held.TryGetValue((TellReceiver.Inbox, userId), out var owed) && owed.Ping));
        var fresh = handoff.Involved.Select(u => new OwedTell(TellReceiver.Inbox, u, handoff.Version, Pings(u)))
            .Append(new OwedTell(TellReceiver.Desk, handoff.TeamId, handoff.Version, false))
            .Append(new OwedTell(TellReceiver.Patient, handoff.PatientId, handoff.Version, false))
            // Each ping also goes to the clinician's push devices (a locked phone): owed like any tell.
            .Concat(pinged.Where(Pings).Select(u => new OwedTell(TellReceiver.Push, u, handoff.Version, true)))
            .Concat(presenceOf is null ? [] : [new OwedTell(TellReceiver.Presence, presenceOf, handoff.Version, false)])
            .ToList();
        var kept = held.Values.Where(t => !fresh.Any(f => f.Receiver == t.Receiver && f.Key == t.Key));
        return [.. fresh.Concat(kept).OrderByDescending(t => t.Ping).ThenBy(t => t.Receiver)];
    }

    /// <summary><paramref name="outbox"/> without what <paramref name="receiver"/> <paramref name="key"/> acknowledged by taking <paramref name="version"/>.</summary>
    public static ImmutableArray<OwedTell> Acknowledge(ImmutableArray<OwedTell> outbox, TellReceiver receiver, string key, long version) =>
        [.. (outbox.IsDefault ? [] : outbox).Where(t => !(t.Receiver == receiver && t.Key == key && t.Version <= version))];
}
