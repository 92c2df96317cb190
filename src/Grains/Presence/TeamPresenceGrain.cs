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
/// their changes here; while anyone watches, the roster also checks every <see cref="RefreshEvery"/>
/// the members whose told online time has passed, because a clinician whose every connection went
/// silent turns offline only when their presence is next read. The seq is stored with the roster, so a re-activated roster
/// continues the same numbering. Routing reads it (<see cref="RosterAsync"/>) instead of every member's
/// grain: presence grains also tell it, now and then, how long each clinician stays online without
/// another heartbeat (<see cref="PresenceView.OnlineUntil"/>; not written for its own sake), so it asks
/// a clinician's grain only when that time has passed (they went silent, or a tell went astray) and,
/// once, every member when it is activated, because what it stored may be old. Opening the feed does
/// the same first, so a target picker starts right.
/// </summary>
public sealed partial class TeamPresenceGrain(
    [PersistentState(StorageNames.TeamPresenceState, StorageNames.Huddle)] IPersistentState<TeamPresenceState> state,
    HuddleClock clock,
    IOptions<FeedOptions> feedOptions,
    ILogger<TeamPresenceGrain> logger) : Grain, ITeamPresenceGrain
{
    /// <summary>How often a watched roster asks about the members who may have gone silent.</summary>
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

    public Task UpdateAsync(PresenceView member)
    {
        ArgumentNullException.ThrowIfNull(member);
        return TakeAsync([member]);
    }

    public async Task<ImmutableArray<PresenceView>> RosterAsync()
    {
        var unread = await MakeCurrentAsync([]);
        var now = clock.UtcNow;
        // What could not be confirmed is left out: the caller asks those clinicians' grains itself.
        return [.. state.State.Members.Values.Where(m => !unread.Contains(m.UserId) && !IsLapsed(m, now))];
    }

    /// <summary>
    /// Brings the roster up to date where it may not be: every member once after activation (what was
    /// stored may be old), then the online members whose told <see cref="PresenceView.OnlineUntil"/> has
    /// passed, and <paramref name="unknown"/>. Returns those that could not be read (or stored).
    /// </summary>
    private async Task<IReadOnlySet<string>> MakeCurrentAsync(IEnumerable<string> unknown)
    {
        if (!_current)
        {
            var failed = await ReadMembersAsync(null);
            _current = failed.Count == 0;
            return failed;
        }

        var now = clock.UtcNow;
        var due = state.State.Members.Values.Where(m => IsLapsed(m, now)).Select(m => m.UserId).Union(unknown, StringComparer.Ordinal).ToList();
        return due.Count == 0 ? ImmutableHashSet<string>.Empty : await ReadMembersAsync(due);
    }

    /// <summary>Online by what the roster was last told, but past the time that holds without another heartbeat.</summary>
    private static bool IsLapsed(PresenceView member, DateTimeOffset now) =>
        member.Status != PresenceStatus.Offline && (member.OnlineUntil is not { } until || until <= now);

    /// <summary>
    /// Takes in <paramref name="views"/>: those whose status, since or choice moved are stored in one
    /// write and then published, one change each; one whose only news is <see cref="PresenceView.OnlineUntil"/>
    /// is kept in memory (written along with the next real change).
    /// </summary>
    private async Task TakeAsync(IReadOnlyCollection<PresenceView> views)
    {
        var (membersBefore, seqBefore) = (state.State.Members, state.State.Seq);
        var members = membersBefore;
        var changed = new List<PresenceView>();
        foreach (var view in views)
        {
            // Someone never seen is held (so routing need not ask again) but is no news: the
            // snapshot already shows a member it lacks as offline.
            var isKnown = members.TryGetValue(view.UserId, out var known);
            var neverSeen = !isKnown && view == PresenceView.NeverSeen(view.UserId);
            if (!neverSeen && (!isKnown || !Same(known!, view)))
            {
                changed.Add(view);
            }

            members = members.SetItem(view.UserId, view);
        }

        state.State.Members = members;
        if (changed.Count == 0)
        {
            return;
        }

        state.State.Seq = seqBefore + changed.Count;
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

        var (seq, now) = (seqBefore, clock.UtcNow);
        foreach (var view in changed)
        {
            var change = new TeamPresenceChange(TeamId, ++seq, view, now);
            Feed.Publish(seq, [new(FeedAudiences.Members, change), new(FeedAudiences.Displays, change)]);
        }
    }

    public Task<FeedPosition> SubscribeAsync(string kind, IFeedObserver observer)
    {
        // A watched roster keeps itself fresh; an unwatched one costs nothing.
        _refresh ??= this.RegisterGrainTimer(RefreshAsync, new GrainTimerCreationOptions(RefreshEvery, RefreshEvery) { Interleave = false });
        return Feed.SubscribeAsync(kind, observer);
    }

    public Task UnsubscribeAsync(string kind, IFeedObserver observer) => Feed.UnsubscribeAsync(kind, observer);

    public Task<FeedCatchUp> ReadSinceAsync(string kind, long seq, long epoch = FeedPosition.AnyEpoch, int limit = 0) =>
        Feed.ReadSinceAsync(kind, seq, epoch, limit);

    public async Task<Result<FeedOpen>> OpenAsync(string kind, string userId, long? since, string? audience = null,
        long epoch = FeedPosition.AnyEpoch, int limit = 0)
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

        // Right when it opens (a target picker reads it): who went silent and who the roster never heard of are asked.
        await MakeCurrentAsync(profile.Members.Select(m => m.UserId).Where(u => !state.State.Members.ContainsKey(u)));

        // The snapshot lists the whole roster: a member never seen is offline.
        return await Feed.OpenAsync(placed, since, epoch, limit, () => new TeamPresenceSnapshot(TeamId, state.State.Seq,
        [
            .. profile.Members.Select(m => state.State.Members.GetValueOrDefault(m.UserId)
                ?? PresenceView.NeverSeen(m.UserId)),
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

        // Only who may have gone silent: every change of status is told, and a lost tell is told again.
        await MakeCurrentAsync([]);
    }

    /// <summary>
    /// Asks the presence grains of <paramref name="userIds"/> (null: every member) all at once and takes
    /// in what they say in one write; returns those that could not be read, or all when the write failed.
    /// </summary>
    private async Task<IReadOnlySet<string>> ReadMembersAsync(IReadOnlyCollection<string>? userIds)
    {
        if (userIds is null)
        {
            if (await GrainFactory.GetGrain<ICareTeamGrain>(TeamId).GetProfileAsync() is not { } profile)
            {
                return ImmutableHashSet<string>.Empty;
            }

            userIds = [.. profile.Members.Select(m => m.UserId)];
        }

        var reads = userIds.Select(u => (UserId: u, Read: GrainFactory.GetGrain<IPresenceGrain>(u).GetAsync())).ToList();
        var (views, failed) = (new List<PresenceView>(), new HashSet<string>(StringComparer.Ordinal));
        foreach (var (userId, read) in reads)
        {
            try
            {
                views.Add(await read);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failed.Add(userId);
                LogRefreshFailed(ex, TeamId, userId);
            }
        }

        try
        {
            await TakeAsync(views);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogRefreshFailed(ex, TeamId, "(the roster's write)");
            return userIds.ToHashSet(StringComparer.Ordinal);
        }

        return failed;
    }

    private static bool Same(PresenceView a, PresenceView b) => a.Status == b.Status && a.Since == b.Since && a.Chosen == b.Chosen;

    [LoggerMessage(Level = LogLevel.Error, Message = "Team presence {TeamId}: state write failed; memory restored and activation retired")]
    private partial void LogWriteFailed(Exception ex, string teamId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Team presence {TeamId}: re-reading {UserId} failed")]
    private partial void LogRefreshFailed(Exception ex, string teamId, string userId);
}
