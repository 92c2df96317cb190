using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Live;
using Huddle.Contracts.Presence;
using Huddle.Grains.Common;
using Huddle.Grains.Live;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Huddle.Grains.Presence;

/// <summary>
/// A team's presence roster and its feed <c>presence:{teamId}</c>. Clinicians' presence grains push
/// their changes here; while anyone watches, the roster also re-reads its members every
/// <see cref="RefreshEvery"/>, because a clinician whose every connection went silent turns offline
/// only when their presence is next read. The seq is stored with the roster, so a re-activated roster
/// continues the same numbering.
/// </summary>
public sealed partial class TeamPresenceGrain(
    [PersistentState(StorageNames.TeamPresenceState, StorageNames.Huddle)] IPersistentState<TeamPresenceState> state,
    HuddleClock clock,
    IOptions<FeedOptions> feedOptions,
    ILogger<TeamPresenceGrain> logger) : Grain, ITeamPresenceGrain
{
    /// <summary>How often a watched roster re-reads its members' presence.</summary>
    public static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(30);

    private FeedPublisher? _feed;
    private IGrainTimer? _refresh;

    private string TeamId => this.GetPrimaryKeyString();

    private FeedPublisher Feed => _feed ??= new FeedPublisher(new FeedId(ITeamPresenceGrain.Feed, TeamId), state.State.Seq, feedOptions.Value, logger);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _ = Feed;
        return base.OnActivateAsync(cancellationToken);
    }

    public async Task UpdateAsync(PresenceView member)
    {
        ArgumentNullException.ThrowIfNull(member);
        if (state.State.Members.TryGetValue(member.UserId, out var known) && Same(known, member))
        {
            return;
        }

        var (membersBefore, seqBefore) = (state.State.Members, state.State.Seq);
        (state.State.Members, state.State.Seq) = (membersBefore.SetItem(member.UserId, member), seqBefore + 1);
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception ex)
        {
            (state.State.Members, state.State.Seq) = (membersBefore, seqBefore);
            LogWriteFailed(ex, TeamId);
            DeactivateOnIdle();
            throw;
        }

        var change = new TeamPresenceChange(TeamId, state.State.Seq, member, clock.UtcNow);
        Feed.Publish(state.State.Seq, [new(FeedAudiences.Members, change), new(FeedAudiences.Displays, change)]);
    }

    public Task<long> SubscribeAsync(string kind, IFeedObserver observer)
    {
        // A watched roster keeps itself fresh; an unwatched one costs nothing.
        _refresh ??= this.RegisterGrainTimer(RefreshAsync, new GrainTimerCreationOptions(RefreshEvery, RefreshEvery) { Interleave = false });
        return Feed.SubscribeAsync(kind, observer);
    }

    public Task UnsubscribeAsync(string kind, IFeedObserver observer) => Feed.UnsubscribeAsync(kind, observer);

    public Task<FeedCatchUp> ReadSinceAsync(string kind, long seq) => Feed.ReadSinceAsync(kind, seq);

    public async Task<Result<FeedOpen>> OpenAsync(string kind, string userId, long? since, string? audience = null)
    {
        Feed.CheckKind(kind);
        var profile = await GrainFactory.GetGrain<ICareTeamGrain>(TeamId).GetProfileAsync();
        var access = profile?.AccessFor(userId) ?? TeamAccess.None;
        if (profile is null)
        {
            return HuddleError.NotFound("Team", TeamId);
        }

        var placed = access == TeamAccess.Member && audience != FeedAudiences.Displays ? FeedAudiences.Members : FeedAudiences.Displays;
        if (access == TeamAccess.None || (audience is not null && audience != placed))
        {
            return HuddleError.Forbidden("Only members and displays of the care team can watch its presence.");
        }

        // The snapshot lists the whole roster: a member never seen is offline.
        return Feed.Open(placed, since, () => new TeamPresenceSnapshot(TeamId, state.State.Seq,
        [
            .. profile.Members.Select(m => state.State.Members.GetValueOrDefault(m.UserId)
                ?? new PresenceView(m.UserId, PresenceStatus.Offline, DateTimeOffset.MinValue, null, 0)),
        ]));
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        if (Feed.Subscribers == 0)
        {
            _refresh?.Dispose();
            _refresh = null;
            return;
        }

        if (await GrainFactory.GetGrain<ICareTeamGrain>(TeamId).GetProfileAsync() is not { } profile)
        {
            return;
        }

        foreach (var member in profile.Members)
        {
            try
            {
                await UpdateAsync(await GrainFactory.GetGrain<IPresenceGrain>(member.UserId).GetAsync());
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRefreshFailed(ex, TeamId, member.UserId);
            }
        }
    }

    private static bool Same(PresenceView a, PresenceView b) => a.Status == b.Status && a.Since == b.Since && a.Chosen == b.Chosen;

    [LoggerMessage(Level = LogLevel.Error, Message = "Team presence {TeamId}: state write failed; memory restored and activation retired")]
    private partial void LogWriteFailed(Exception ex, string teamId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Team presence {TeamId}: re-reading {UserId} failed")]
    private partial void LogRefreshFailed(Exception ex, string teamId, string userId);
}
