using System.Collections.Immutable;

namespace Huddle.Web.Handoffs;

/// <summary>
/// What a clinician's own card shows of a handoff beyond its summary (<see cref="LiveInbox.GistAsync"/>): the
/// patient's name (null when not asked for or not readable), the situation, and who declined it and why, so
/// the requester can ask someone else without opening its history.
/// </summary>
public sealed record HandoffGist(string? Patient, string Situation, ImmutableArray<HandoffDecline> Declines)
{
    /// <summary>The gist of <paramref name="handoff"/> (read in full, its open logged), naming <paramref name="patient"/>: its declines are its history's.</summary>
    public static HandoffGist Of(Huddle.Contracts.Handoffs.Handoff handoff, string? patient)
    {
        ArgumentNullException.ThrowIfNull(handoff);
        return new(patient, handoff.Reason.Situation, [.. handoff.History
            .Where(e => e.Action == Huddle.Contracts.Handoffs.HandoffActions.Declined && !string.IsNullOrWhiteSpace(e.Detail))
            .Select(e => new HandoffDecline(e.ActorId, e.Detail!))]);
    }
}
