using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Handoffs;
using Huddle.Contracts.Live;
using Huddle.Grains.Common;
using Huddle.Grains.Live;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Huddle.Grains.Handoffs;

/// <summary>
/// A team's handoff desk: its escalation policy and the feed <c>handoffs:{teamId}</c> of its open
/// handoffs, for the board (members) and the room display (displays; their summaries never say who
/// declined). Access follows the team's roster, asked of the team's grain on every open.
/// </summary>
public sealed class TeamHandoffsGrain(
    [PersistentState(StorageNames.TeamHandoffsState, StorageNames.Huddle)] IPersistentState<HandoffFeedState> state,
    HuddleClock clock,
    IOptions<FeedOptions> feedOptions,
    ILogger<TeamHandoffsGrain> logger) : HandoffFeedGrain(state, ITeamHandoffsGrain.Feed, feedOptions.Value, logger), ITeamHandoffsGrain
{
    private EscalationPolicy Policy => State.State.Policy ?? EscalationPolicy.Default;

    public Task<EscalationPolicy> GetPolicyAsync() => Task.FromResult(Policy);

    public async Task<Result<EscalationPolicy>> SetPolicyAsync(string actorId, EscalationPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var profile = await GrainFactory.GetGrain<ICareTeamGrain>(Key).GetProfileAsync();
        if (profile is null)
        {
            return HuddleError.NotFound("Team", Key);
        }

        if (!profile.IsMember(actorId))
        {
            return HuddleError.Forbidden("Only members of the care team can change its escalation policy.");
        }

        int[] seconds = [policy.StatSeconds, policy.AsapSeconds, policy.UrgentSeconds, policy.RoutineSeconds];
        if (seconds.Any(s => s is < EscalationPolicy.MinSeconds or > EscalationPolicy.MaxSeconds))
        {
            return HuddleError.Invalid($"Each target time is {EscalationPolicy.MinSeconds}-{EscalationPolicy.MaxSeconds} seconds.");
        }

        if (new[] { policy.Backup1, policy.Backup2 }.OfType<string>().FirstOrDefault(b => !profile.IsMember(b)) is { } stranger)
        {
            return HuddleError.NotFound("Team member", stranger);
        }

        var before = State.State.Policy;
        State.State.Policy = policy;
        await PersistAsync(() => State.State.Policy = before);
        return policy;
    }

    public async Task TrackAsync(HandoffSummary item, HandoffOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        // The outcome rides in the same state write as the item; a stale one (older version) is ignored.
        var before = State.State.Outcomes;
        State.State.Outcomes = KeepOutcome(before, outcome, clock.UtcNow);
        try
        {
            await TakeAsync(item, keepClosed: 0, seq =>
            {
                var now = clock.UtcNow;
                return [new(FeedAudiences.Members, new TeamHandoffsChange(Key, seq, item, now)),
                    new(FeedAudiences.Displays, new TeamHandoffsChange(Key, seq, ForDisplays(item), now))];
            });
        }
        catch
        {
            State.State.Outcomes = before;
            throw;
        }
    }

    public async Task<Result<HandoffMetricsReport>> GetMetricsAsync(string userId, int days)
    {
        var profile = await GrainFactory.GetGrain<ICareTeamGrain>(Key).GetProfileAsync();
        if (profile is null)
        {
            return HuddleError.NotFound("Team", Key);
        }

        if (!profile.IsMember(userId))
        {
            return HuddleError.Forbidden("Only clinicians on the care team can read its handoff metrics.");
        }

        if (days is < 1 or > MetricsDays - 1)
        {
            return HuddleError.Invalid($"Ask for 1 to {MetricsDays - 1} days.");
        }

        var today = profile.DayAt(clock.UtcNow);
        return HandoffMetrics.Compute(Key, State.State.Outcomes, today.AddDays(1 - days), today, profile.DayAt);
    }

    /// <summary>How many days of outcomes the desk keeps (a month, and a day for the time zone).</summary>
    public const int MetricsDays = 31;

    /// <summary>The most outcomes the desk keeps, oldest dropped first, so its state stays far below one storage row.</summary>
    public const int MaxOutcomes = 3000;

    private static System.Collections.Immutable.ImmutableArray<HandoffOutcome> KeepOutcome(
        System.Collections.Immutable.ImmutableArray<HandoffOutcome> outcomes, HandoffOutcome outcome, DateTimeOffset now)
    {
        var earlier = outcomes.FirstOrDefault(o => o.HandoffId == outcome.HandoffId);
        if (earlier is not null && earlier.Version >= outcome.Version)
        {
            return outcomes;
        }

        var kept = outcomes.Where(o => o.HandoffId != outcome.HandoffId && now - o.RequestedAt < TimeSpan.FromDays(MetricsDays)).Append(outcome)
            .OrderBy(o => o.RequestedAt).ToList();
        return [.. kept.Skip(Math.Max(0, kept.Count - MaxOutcomes))];
    }

    protected override async Task<Result<string>> AudienceOfAsync(string userId, string? audience)
    {
        var access = await GrainFactory.GetGrain<ICareTeamGrain>(Key).GetAccessAsync(userId);
        var placed = access switch
        {
            TeamAccess.Member when audience != FeedAudiences.Displays => FeedAudiences.Members,
            TeamAccess.None => null,
            _ => FeedAudiences.Displays,
        };
        return placed is null || (audience is not null && audience != placed)
            ? HuddleError.Forbidden("Only members and displays of the care team can watch its handoffs.")
            : placed;
    }

    protected override object Snapshot(string audience) => audience == FeedAudiences.Displays
        ? new TeamHandoffsSnapshot(Key, State.State.Seq, [.. Items.Select(ForDisplays)], Policy)
        : new TeamHandoffsSnapshot(Key, State.State.Seq, Items, Policy);

    /// <summary>What a room display may hold of a handoff: never who declined it (the whole room reads the wall; docs/api.md).</summary>
    private static HandoffSummary ForDisplays(HandoffSummary item) => item.Declined.IsEmpty ? item : item with { Declined = [] };
}
