namespace Huddle.Grains.Handoffs;

/// <summary>Warm-handoff tunables (configuration section <c>Huddle:Handoffs</c>, docs/operations.md).</summary>
public sealed class HandoffOptions
{
    /// <summary>
    /// How long an accepted handoff may stay accepted or in progress before it is closed as stale
    /// (<c>failed</c>, "closed as stale"): a consultant who took it and never completed it leaves it
    /// open on the board, the wall and the inboxes for good otherwise. Null: never.
    /// </summary>
    public TimeSpan? AcceptedStaleAfter { get; set; } = TimeSpan.FromHours(12);

    /// <summary>
    /// How long a scheduled referral may stay scheduled (from its date, or from when it was scheduled
    /// without one) before it is closed as stale (referral <c>closed</c>, "referral closed as stale"). Null: never.
    /// </summary>
    public TimeSpan? ReferralStaleAfter { get; set; } = TimeSpan.FromDays(90);

    /// <summary>
    /// How long a team's handoff outcomes (the day pages the metrics read) are kept: a day page older
    /// than this is deleted, checked daily by the desk's reminder (<c>outcome-retention</c>) and after
    /// its first page write in an activation. At least <see cref="MinOutcomeRetention"/> (the metrics'
    /// month). Null: kept for ever.
    /// </summary>
    public TimeSpan? OutcomeRetention { get; set; }

    /// <summary>The shortest <see cref="OutcomeRetention"/>: the metrics read 30 days and a day either side.</summary>
    public static readonly TimeSpan MinOutcomeRetention = TimeSpan.FromDays(TeamHandoffsGrain.MetricsDays + 1);

    /// <summary>The first wait before a tell that failed (an inbox, the desk, the patient) is sent again.</summary>
    public TimeSpan RetryFirst { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between retries of a failed tell (the wait doubles up to it).</summary>
    public TimeSpan RetryMax { get; set; } = TimeSpan.FromSeconds(30);
}
