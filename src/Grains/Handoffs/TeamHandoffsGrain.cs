using System.Collections.Immutable;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Handoffs;
using Huddle.Contracts.Live;
using Huddle.Grains.CareTeams;
using Huddle.Grains.Common;
using Huddle.Grains.Live;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Huddle.Grains.Handoffs;

/// <summary>
/// A team's handoff desk: its escalation policy and the feed <c>handoffs:{teamId}</c> of its open
/// handoffs, for the board (members) and the room display (displays; their summaries never say who
/// declined). Its state row holds the policy and the open handoffs only; each handoff's outcome goes
/// to the history page of the day it was requested (the team's day), which the metrics read, so the
/// row stays small however long the team works. Access follows the desk's copy of the team's roster
/// (<see cref="TeamProfileCopy"/>), so opening the feed does not call the team's grain.
/// </summary>
public sealed partial class TeamHandoffsGrain(
    [PersistentState(StorageNames.TeamHandoffsState, StorageNames.Huddle)] IPersistentState<HandoffFeedState> state,
    IGrainHistoryStore history,
    HuddleClock clock,
    IOptions<FeedOptions> feedOptions,
    IOptions<HandoffOptions> handoffOptions,
    ILogger<TeamHandoffsGrain> logger) : HandoffFeedGrain(state, ITeamHandoffsGrain.Feed, feedOptions.Value, logger), ITeamHandoffsGrain, IRemindable
{
    /// <summary>How many days of outcomes the metrics read (a month, and a day for the time zone).</summary>
    public const int MetricsDays = 31;

    /// <summary>The history stream of outcome pages, one page per team day (numbered by <see cref="DateOnly.DayNumber"/>).</summary>
    public const string OutcomesStream = "outcomes";

    /// <summary>How many day pages stay in memory for the next write (today's, and a few a seeder back-fills).</summary>
    private const int PagesKept = 4;

    private readonly Dictionary<int, HandoffOutcomePage> _pages = [];
    private TeamProfileCopy? _team;

    private TeamProfileCopy Team => _team ??= new TeamProfileCopy(GrainFactory, Key);

    private EscalationPolicy Policy => State.State.Policy ?? EscalationPolicy.Default;

    public Task<EscalationPolicy> GetPolicyAsync() => Task.FromResult(Policy);

    public Task TeamChangedAsync(CareTeamProfile profile)
    {
        Team.Take(profile);
        return Task.CompletedTask;
    }

    public async Task<Result<EscalationPolicy>> SetPolicyAsync(string actorId, EscalationPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var profile = await GrainFactory.Grain<ICareTeamGrain>(Key).GetProfileAsync();
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
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(outcome);
        var team = await Team.GetAsync();
        var day = DayOf(team, outcome.RequestedAt);
        if (Items.All(i => i.HandoffId != item.HandoffId) && (await PageAsync(day)).VersionOf(item.HandoffId) is var counted
            && (counted > item.Version || (counted == item.Version && !item.IsOpen)))
        {
            // Not open here, and its day already counts this step or a later one: a repeat of the step
            // that closed it, or a late older step. (An open step whose page was written but whose row
            // write failed is taken again: it is not held yet.)
            return;
        }

        // The outcome's page first: if the desk's own write then fails the caller retries, and the page
        // (already holding this version) is not written again. A summary not newer than the one held,
        // or an outcome not newer, changes nothing, so a repeated call is harmless.
        await KeepOutcomeAsync(day, outcome);
        if (!State.State.Outcomes.IsEmpty)
        {
            await MoveLegacyOutcomesAsync(team);
        }

        await TakeAsync(item, keepClosed: 0, seq =>
        {
            var now = clock.UtcNow;
            return [new(FeedAudiences.Members, new TeamHandoffsChange(Key, seq, item, now)),
                new(FeedAudiences.Displays, new TeamHandoffsChange(Key, seq, ForDisplays(item), now))];
        });
    }

    public async Task<Result<HandoffMetricsReport>> GetMetricsAsync(string userId, int days)
    {
        var profile = await Team.GetAsync();
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
        var from = today.AddDays(1 - days);

        // A day either side: a page is numbered by the team's day when it was written, and the team may
        // have changed its time zone since. The report counts each handoff once, by its newest version.
        var outcomes = new Dictionary<string, HandoffOutcome>(StringComparer.Ordinal);
        void Count(HandoffOutcome o)
        {
            if (!outcomes.TryGetValue(o.HandoffId, out var held) || held.Version < o.Version)
            {
                outcomes[o.HandoffId] = o;
            }
        }

        await foreach (var page in history.ReadPagesAsync<HandoffOutcomePage>(this.GetGrainId(), OutcomesStream, from.DayNumber - 1, today.DayNumber + 1))
        {
            foreach (var outcome in page.Content.Outcomes)
            {
                Count(outcome);
            }
        }

        foreach (var outcome in State.State.Outcomes)
        {
            Count(outcome);
        }

        return HandoffMetrics.Compute(Key, outcomes.Values, from, today, profile.DayAt);
    }

    /// <summary>Puts <paramref name="outcome"/> on its day's page when that changes what the metrics count.</summary>
    private async Task KeepOutcomeAsync(int day, HandoffOutcome outcome)
    {
        var page = await PageAsync(day);
        if (page.With(outcome) is not { } next)
        {
            if (page.Outcomes.Length >= HandoffOutcomePage.MaxOutcomes && page.Outcomes.All(o => o.HandoffId != outcome.HandoffId))
            {
                LogDayFull(Key, outcome.HandoffId, HandoffOutcomePage.MaxOutcomes);
            }

            return;
        }

        await history.WritePageAsync(this.GetGrainId(), OutcomesStream, day, next);
        Keep(day, next);
        ArmOutcomeRetention();
    }

    /// <summary>
    /// A desk stored before outcomes had pages kept them in its row (up to 3,000): they move to their
    /// pages, and the row forgets them with its next write.
    /// </summary>
    private async Task MoveLegacyOutcomesAsync(CareTeamProfile? team)
    {
        foreach (var day in State.State.Outcomes.GroupBy(o => DayOf(team, o.RequestedAt)))
        {
            var page = await PageAsync(day.Key);
            var next = day.Aggregate(page, (p, o) => p.With(o) ?? p);
            if (!ReferenceEquals(next, page))
            {
                await history.WritePageAsync(this.GetGrainId(), OutcomesStream, day.Key, next);
                Keep(day.Key, next);
            }
        }

        State.State.Outcomes = [];
    }

    private async Task<HandoffOutcomePage> PageAsync(int day)
    {
        if (_pages.TryGetValue(day, out var cached))
        {
            return cached;
        }

        var page = HandoffOutcomePage.Empty;
        await foreach (var stored in history.ReadPagesAsync<HandoffOutcomePage>(this.GetGrainId(), OutcomesStream, day, day))
        {
            page = stored.Content;
        }

        Keep(day, page);
        return page;
    }

    private void Keep(int day, HandoffOutcomePage page)
    {
        _pages[day] = page;
        if (_pages.Count > PagesKept)
        {
            _pages.Remove(_pages.Keys.Where(d => d != day).Min());
        }
    }

    /// <summary>The team's day of <paramref name="instant"/> (UTC for a team that does not exist).</summary>
    private static int DayOf(CareTeamProfile? team, DateTimeOffset instant) =>
        (team?.DayAt(instant) ?? DateOnly.FromDateTime(instant.UtcDateTime)).DayNumber;

    protected override async Task<Result<string>> AudienceOfAsync(string userId, string? audience)
    {
        var access = (await Team.GetAsync())?.AccessFor(userId) ?? TeamAccess.None;
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

    /// <summary>
    /// What a room display may hold of a handoff: never who declined it, nor which patient it is for, nor
    /// who was pinged (with the declines gone, "waiting for" would name those who said no; docs/api.md).
    /// </summary>
    private static HandoffSummary ForDisplays(HandoffSummary item) =>
        item.Declined.IsEmpty && item.PatientId is null && item.Notified.IsEmpty ? item : item with { Declined = [], PatientId = null, Notified = [] };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handoff desk {TeamId}: the day of handoff {HandoffId} already holds {Max} outcomes; its outcome is not counted")]
    private partial void LogDayFull(string teamId, string handoffId, int max);
}
