using System.Collections.Immutable;
using Huddle.Contracts.Handoffs;

namespace Huddle.Grains.Handoffs;

/// <summary>
/// The persisted state of an inbox or a team's handoff desk: its open items (an inbox also its newest
/// closed ones), its feed's seq and (a team's) policy. Nothing in it grows with use: a desk's outcomes
/// live in day pages of their own.
/// </summary>
[GenerateSerializer, Alias("huddle.handoff-feed-state")]
public sealed class HandoffFeedState
{
    [Id(0)]
    public ImmutableArray<HandoffSummary> Items { get; set; } = [];

    [Id(1)]
    public long Seq { get; set; }

    [Id(2)]
    public EscalationPolicy? Policy { get; set; }

    /// <summary>
    /// Outcomes a desk stored in its row before they had day pages: read once, moved to their pages by
    /// the next handoff step and then empty. Never written to otherwise.
    /// </summary>
    [Id(3)]
    public ImmutableArray<HandoffOutcome> Outcomes { get; set; } = [];

    /// <summary>
    /// The feed's epoch, stored with its seq: a new activation continues the same numbering, and a
    /// lost state (which loses this too) starts a new one. Id 20 keeps clear of the fields before it.
    /// </summary>
    [Id(20)]
    public long FeedEpoch { get; set; }

    /// <summary>
    /// An inbox's newest chat notifications' keys (at most <see cref="InboxGrain.KeepNoticeKeys"/>, oldest
    /// first): a notification a thread delivers again is recognised and not published twice.
    /// </summary>
    [Id(21)]
    public ImmutableArray<string> NoticeKeys { get; set; } = [];
}
