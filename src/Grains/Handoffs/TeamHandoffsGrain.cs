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
/// handoffs, for the board (members) and the room display (displays). Access follows the team's roster,
/// asked of the team's grain on every open.
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

    public Task TrackAsync(HandoffSummary item) => TakeAsync(item, keepClosed: 0, seq =>
    {
        var change = new TeamHandoffsChange(Key, seq, item, clock.UtcNow);
        return [new(FeedAudiences.Members, change), new(FeedAudiences.Displays, change)];
    });

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

    protected override object Snapshot() => new TeamHandoffsSnapshot(Key, State.State.Seq, Items, Policy);
}
