using System.Collections.Immutable;
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
/// continues the same numbering. Routing reads it (<see cref="RosterAsync"/>) instead of every member's
/// grain: presence grains also tell it, now and then, how long each clinician stays online without
/// another heartbeat (<see cref="PresenceView.OnlineUntil"/>, kept in memory only), so it asks a
/// clinician's grain only when that time has passed (they went silent, or a tell went astray) and,
/// once, every member when it is activated, because what it stored may be old.
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
    private bool _current;

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
            // Only how long they stay online moved: nothing to store or publish.
            state.State.Members = state.State.Members.SetItem(member.UserId, member);
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

    public async Task<ImmutableArray<PresenceView>> RosterAsync()
    {
        if (!_current)
        {
            await ReadMembersAsync(null);
            _current = true;
        }
        else if (Lapsed(clock.UtcNow) is { Count: > 0 } lapsed)
        {
            await ReadMembersAsync(lapsed);
        }

        return [.. state.State.Members.Values];
    }

    /// <summary>The online members whose last told heartbeat has run out: gone silent, or not told since.</summary>
    private List<string> Lapsed(DateTimeOffset now) =>
    [
        .. state.State.Members.Values
            .Where(m => m.Status != PresenceStatus.Offline && (m.OnlineUntil is not { } until || until <= now))
            .Select(m => m.UserId),
    ];

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

        await ReadMembersAsync(null);
    }

    /// <summary>Asks the presence grains of <paramref name="userIds"/> (null: every member), all at once, and takes in what changed.</summary>
    private async Task ReadMembersAsync(IEnumerable<string>? userIds)
    {
        if (userIds is null)
        {
            if (await GrainFactory.GetGrain<ICareTeamGrain>(TeamId).GetProfileAsync() is not { } profile)
            {
                return;
            }

            userIds = profile.Members.Select(m => m.UserId);
        }

        var reads = userIds.Select(u => (UserId: u, Read: GrainFactory.GetGrain<IPresenceGrain>(u).GetAsync())).ToList();
        foreach (var (userId, read) in reads)
        {
            try
            {
                await UpdateAsync(await read);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRefreshFailed(ex, TeamId, userId);
            }
        }
    }

    private static bool Same(PresenceView a, PresenceView b) => a.Status == b.Status && a.Since == b.Since && a.Chosen == b.Chosen;

    [LoggerMessage(Level = LogLevel.Error, Message = "Team presence {TeamId}: state write failed; memory restored and activation retired")]
    private partial void LogWriteFailed(Exception ex, string teamId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Team presence {TeamId}: re-reading {UserId} failed")]
    private partial void LogRefreshFailed(Exception ex, string teamId, string userId);
}
