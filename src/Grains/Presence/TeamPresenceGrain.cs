using System.Collections.Immutable;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Live;
using Huddle.Contracts.Presence;
using Huddle.Grains.CareTeams;
using Huddle.Grains.Common;
using Huddle.Grains.Live;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Huddle.Grains.Presence;

/// <summary>
/// A team's presence roster and its feed <c>presence:{teamId}</c>. Clinicians' presence grains push
/// their changes here; while anyone watches, the roster also checks every <see cref="RefreshEvery"/>
/// the members whose told online time has passed, because a clinician whose every connection went
/// silent turns offline only when their presence is next read.
/// <para>
/// <b>Never stored.</b> The roster is a projection of the members' presence grains (which store the
/// truth), rebuilt by asking every member once after each activation. Storing it cost one write of
/// the whole roster per presence change of any member (a team of N connecting at 8 am: N writes of N
/// entries), for nothing a re-activation cannot ask again. Its feed's seq therefore lives in memory,
/// in an epoch of its own per activation: a re-activated roster's watchers get one reset and re-read.
/// </para>
/// Routing reads it (<see cref="RosterAsync"/>) instead of every member's
/// grain: presence grains also tell it, now and then, how long each clinician stays online without
/// another heartbeat (<see cref="PresenceView.OnlineUntil"/>; not written for its own sake), so it asks
/// a clinician's grain only when that time has passed (they went silent, or a tell went astray) and,
/// once, every member when it is activated. Opening the feed does
/// the same first, so a target picker starts right.
/// </summary>
public sealed partial class TeamPresenceGrain(
    HuddleClock clock,
    IOptions<FeedOptions> feedOptions,
    ILogger<TeamPresenceGrain> logger) : Grain, ITeamPresenceGrain
{
    /// <summary>How often a watched roster asks about the members who may have gone silent.</summary>
    public static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(30);

    private FeedPublisher? _feed;
    private IGrainTimer? _refresh;
    private IGrainTimer? _takeRead;
    private TeamProfileCopy? _team;
    private bool _current;

    /// <summary>
    /// What a routing read learnt from members' grains, taken in (published) on a turn of its own, with
    /// <see cref="_takes"/> as it was when the read was asked.
    /// </summary>
    private readonly Dictionary<string, (PresenceView View, long Asked)> _read = new(StringComparer.Ordinal);

    /// <summary>
    /// How many times views were taken in, and when each member's last was (in that count). A routing
    /// read interleaves with a member's tell: what the member's grain answered before the tell must not
    /// overwrite what the tell brought after it, so a read asked before a member's last take is not taken.
    /// </summary>
    private long _takes;

    private readonly Dictionary<string, long> _takenAt = new(StringComparer.Ordinal);

    /// <summary>The roster in memory (see the class: never stored).</summary>
    private readonly TeamPresenceState _state = new();

    /// <summary>The profile the clinicians' set was built from, and that set (an update is O(1), not O(team)).</summary>
    private (CareTeamProfile? Profile, HashSet<string> Clinicians) _clinicians = (null, new HashSet<string>(StringComparer.Ordinal));

    /// <summary>The profile whose former members were last dropped from the roster.</summary>
    private CareTeamProfile? _prunedFor;

    private string TeamId => this.GetPrimaryKeyString();

    private TeamProfileCopy Team => _team ??= new TeamProfileCopy(GrainFactory, TeamId);

    private ImmutableDictionary<string, PresenceView> Members => _state.Members;

    // No epoch passed: each activation numbers in an epoch of its own (the seq is not stored).
    private FeedPublisher Feed => _feed ??= new FeedPublisher(new FeedId(ITeamPresenceGrain.Feed, TeamId), _state.Seq, feedOptions.Value, logger,
        localHosts: LocalFeedHosts.In(ServiceProvider));

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _ = Feed;
        return base.OnActivateAsync(cancellationToken);
    }

    public async Task UpdateAsync(PresenceView member)
    {
        ArgumentNullException.ThrowIfNull(member);
        Take([member], await Team.GetAsync());
    }

    public async Task TeamChangedAsync(CareTeamProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        if (Team.Take(profile))
        {
            // Former members are dropped (the roster holds the team's clinicians only), and watchers
            // re-read: the snapshot lists the new roster.
            Take([], profile, reset: true);
        }
    }

    public async Task<ImmutableArray<PresenceView>> RosterAsync()
    {
        // On the ping's path: reads only. What the members' grains say is taken in on a turn of its own.
        if (await Team.GetAsync() is not { } profile)
        {
            return [];
        }

        var now = clock.UtcNow;
        var due = _current
            ? Members.Values.Where(m => IsLapsed(m, now)).Select(m => m.UserId).ToList()
            : [.. profile.Members.Select(m => m.UserId)];
        var asked = _takes;
        var (read, failed) = await ReadMembersAsync(due);
        if (!_current && failed.Count == 0)
        {
            _current = true;
        }

        // A member who told the roster while their grain was being read: the tell is newer than the read.
        var held = Members;
        var views = read.Where(v => !IsOlder(v.UserId, asked)).ToList();
        if (views.Count > 0)
        {
            foreach (var view in views)
            {
                _read[view.UserId] = (view, asked);
            }

            _takeRead ??= this.RegisterGrainTimer(TakeReadAsync, new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan) { Interleave = false });
        }

        var fresh = views.ToDictionary(v => v.UserId, StringComparer.Ordinal);
        // What could not be confirmed is left out: the caller asks those clinicians' grains itself.
        return [.. profile.Members
            .Select(m => fresh.GetValueOrDefault(m.UserId) ?? held.GetValueOrDefault(m.UserId))
            .OfType<PresenceView>()
            .Where(m => !failed.Contains(m.UserId) && !IsLapsed(m, now))];
    }

    private async Task TakeReadAsync(CancellationToken cancellationToken)
    {
        _takeRead?.Dispose();
        _takeRead = null;
        // A tell that landed since the read was asked is newer than what the read learnt.
        var views = _read.Values.Where(r => !IsOlder(r.View.UserId, r.Asked)).Select(r => r.View).ToList();
        _read.Clear();
        try
        {
            Take(views, await Team.GetAsync());
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The roster stays as it was: the next read asks those members again.
            LogRefreshFailed(ex, TeamId, "(a routing read's presence)");
        }
    }

    /// <summary>
    /// Brings the roster up to date where it may not be: every member once after activation, then the
    /// online members whose told <see cref="PresenceView.OnlineUntil"/> has passed, and
    /// <paramref name="unknown"/>. Returns those that could not be read.
    /// </summary>
    private async Task<IReadOnlySet<string>> MakeCurrentAsync(CareTeamProfile profile, IEnumerable<string> unknown)
    {
        var now = clock.UtcNow;
        var due = _current
            ? Members.Values.Where(m => IsLapsed(m, now)).Select(m => m.UserId).Union(unknown, StringComparer.Ordinal).ToList()
            : [.. profile.Members.Select(m => m.UserId)];
        if (due.Count == 0)
        {
            return ImmutableHashSet<string>.Empty;
        }

        var (views, failed) = await ReadMembersAsync(due);
        Take(views, profile);
        _current |= failed.Count == 0;
        return failed;
    }

    /// <summary>The user ids of <paramref name="profile"/>'s clinicians, built once per profile.</summary>
    private HashSet<string> CliniciansOf(CareTeamProfile? profile)
    {
        if (!ReferenceEquals(profile, _clinicians.Profile))
        {
            _clinicians = (profile, (profile?.Members.Select(m => m.UserId) ?? []).ToHashSet(StringComparer.Ordinal));
        }

        return _clinicians.Clinicians;
    }

    /// <summary>True when <paramref name="userId"/>'s view was taken in after a read asked at <paramref name="asked"/>.</summary>
    private bool IsOlder(string userId, long asked) => _takenAt.GetValueOrDefault(userId) > asked;

    /// <summary>Online by what the roster was last told, but past the time that holds without another heartbeat.</summary>
    private static bool IsLapsed(PresenceView member, DateTimeOffset now) =>
        member.Status != PresenceStatus.Offline && (member.OnlineUntil is not { } until || until <= now);

    /// <summary>
    /// Takes in <paramref name="views"/> of the team's clinicians (anyone else's — a room display, someone
    /// who left the team — is not the roster's: it is neither kept nor published, as the snapshot never
    /// lists them): those whose status, since or choice moved are published, one change each (or, with
    /// <paramref name="reset"/>, one reset after them), with the former members dropped; one whose only
    /// news is <see cref="PresenceView.OnlineUntil"/> is kept, not published. Nothing is written.
    /// </summary>
    private void Take(IReadOnlyCollection<PresenceView> views, CareTeamProfile? profile, bool reset = false)
    {
        var clinicians = CliniciansOf(profile);
        var (membersBefore, seqBefore) = (_state.Members, _state.Seq);
        // Former members can only appear when the roster changed: one pass per new profile, not per update.
        var members = membersBefore;
        if (!ReferenceEquals(profile, _prunedFor))
        {
            var former = membersBefore.Keys.Where(u => !clinicians.Contains(u)).ToList();
            members = members.RemoveRange(former);
            former.ForEach(u => _takenAt.Remove(u));
        }

        _prunedFor = profile;
        var changed = new List<PresenceView>();
        var take = ++_takes;
        foreach (var view in views.Where(v => clinicians.Contains(v.UserId)))
        {
            _takenAt[view.UserId] = take;
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

        var news = changed.Count + (reset ? 1 : 0);
        (_state.Members, _state.Seq) = (members, seqBefore + news);
        var (seq, now) = (seqBefore, clock.UtcNow);
        foreach (var view in changed)
        {
            var change = new TeamPresenceChange(TeamId, ++seq, view, now);
            Feed.Publish(seq, [new(FeedAudiences.Members, change), new(FeedAudiences.Displays, change)]);
        }

        if (reset)
        {
            var change = new TeamPresenceChange(TeamId, ++seq, null, now, Reset: true);
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
        if (await Team.GetAsync() is not { } profile)
        {
            return HuddleError.NotFound("Team", TeamId);
        }

        var access = profile.AccessFor(userId);
        var placed = access == TeamAccess.Member && audience != FeedAudiences.Displays ? FeedAudiences.Members : FeedAudiences.Displays;
        if (access == TeamAccess.None || (audience is not null && audience != placed))
        {
            return HuddleError.Forbidden("Only members and displays of the care team can watch its presence.");
        }

        // Right when it opens (a target picker reads it): who went silent and who the roster never heard of are asked.
        await MakeCurrentAsync(profile, profile.Members.Select(m => m.UserId).Where(u => !_state.Members.ContainsKey(u)));

        // The snapshot lists the whole roster: a member never seen is offline.
        return await Feed.OpenAsync(placed, since, epoch, limit, () => new TeamPresenceSnapshot(TeamId, _state.Seq,
        [
            .. profile.Members.Select(m => _state.Members.GetValueOrDefault(m.UserId)
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
        if (await Team.GetAsync() is { } profile)
        {
            await MakeCurrentAsync(profile, []);
        }
    }

    /// <summary>Asks the presence grains of <paramref name="userIds"/> all at once; returns what they said and who could not be read.</summary>
    private async Task<(List<PresenceView> Views, HashSet<string> Failed)> ReadMembersAsync(IReadOnlyCollection<string> userIds)
    {
        var reads = userIds.Select(u => (UserId: u, Read: GrainFactory.Grain<IPresenceGrain>(u).GetAsync())).ToList();
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

        return (views, failed);
    }

    private static bool Same(PresenceView a, PresenceView b) => a.Status == b.Status && a.Since == b.Since && a.Chosen == b.Chosen;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Team presence {TeamId}: re-reading {UserId} failed")]
    private partial void LogRefreshFailed(Exception ex, string teamId, string userId);
}
