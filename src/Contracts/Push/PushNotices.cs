using System.Collections.Immutable;
using Huddle.Contracts.Handoffs;

namespace Huddle.Contracts.Push;

/// <summary>The push notice of each ping: the toast's PHI-free text and ids only (docs/security.md, "Push").</summary>
public static class PushNotices
{
    /// <summary>A notice is worth sending at least this long, whatever the step's deadline.</summary>
    public static readonly TimeSpan MinimumLife = TimeSpan.FromSeconds(60);

    /// <summary>A ping with no escalation deadline (a policy without one) is worth sending this long.</summary>
    public static readonly TimeSpan DefaultLife = TimeSpan.FromMinutes(30);

    /// <summary>
    /// The notice pinging <paramref name="userId"/> for <paramref name="handoff"/>, worth sending until the
    /// escalation's next step (<paramref name="deadline"/>), when someone else is asked instead.
    /// </summary>
    public static PushNotice ForPing(HandoffSummary handoff, string userId, DateTimeOffset? deadline, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(handoff);
        var life = deadline is { } due && due - now > MinimumLife ? due - now : deadline is null ? DefaultLife : MinimumLife;
        var pressing = handoff.Priority is not HandoffPriority.Routine;
        return new PushNotice(
            NoticeId: $"handoff.{handoff.HandoffId}.{handoff.Version}.{userId}",
            Kind: "handoff",
            Body: HandoffNotices.For(handoff, ping: true),
            Tag: $"handoff-{handoff.HandoffId}",
            Url: $"/handoffs/{handoff.HandoffId}",
            Urgency: pressing ? PushUrgency.High : PushUrgency.Normal,
            Until: now + life,
            Ids: ImmutableDictionary<string, string>.Empty
                .Add("handoffId", handoff.HandoffId)
                .Add("teamId", handoff.TeamId)
                .Add("version", handoff.Version.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            RequireInteraction: handoff.Priority is HandoffPriority.Stat,
            Vibrate: pressing);
    }
}
