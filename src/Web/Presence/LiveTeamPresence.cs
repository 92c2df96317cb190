using Huddle.Contracts.Presence;
using Huddle.Web.Live;

namespace Huddle.Web.Presence;

/// <summary>
/// A component's live copy of a team's presence roster (<c>presence:{teamId}</c>): the roster's merge
/// (a member's presence replaces what was held of them) on the one generic
/// <see cref="LiveFeed{TSnapshot, TChange}"/>. One copy serves everything on a screen that shows
/// presence — the "Who's free" strip and the handoff target picker of the patient page read the same
/// one, so they never disagree and the roster is watched once.
/// </summary>
public sealed class LiveTeamPresence : ILiveCopy<TeamPresenceSnapshot, TeamPresenceChange>, IAsyncDisposable
{
    private readonly Dictionary<string, PresenceView> _members = new(StringComparer.Ordinal);
    private LiveFeed<TeamPresenceSnapshot, TeamPresenceChange>? _feed;

    private LiveTeamPresence(string teamId) => TeamId = teamId;

    public string TeamId { get; }

    /// <summary>The last roster seq merged in (-1 before the first read).</summary>
    public long Seq => _feed?.Seq ?? -1;

    /// <summary>True once the roster was read (a member or a room display of the team).</summary>
    public bool Known => _members.Count > 0;

    /// <summary>
    /// Opens <paramref name="teamId"/>'s roster as <paramref name="userId"/> may see it.
    /// <paramref name="dispatch"/> runs work on the component's renderer (its InvokeAsync);
    /// <paramref name="changed"/> re-renders what shows it.
    /// </summary>
    public static async Task<LiveTeamPresence> OpenAsync(TeamPresenceService presence, string userId, string teamId,
        Func<Func<Task>, Task> dispatch, Func<Task> changed)
    {
        ArgumentNullException.ThrowIfNull(presence);
        var live = new LiveTeamPresence(teamId);
        live._feed = await LiveFeed<TeamPresenceSnapshot, TeamPresenceChange>.OpenAsync(presence.SourceOf(userId, teamId), live, dispatch, changed);
        return live;
    }

    /// <summary><paramref name="userId"/>'s presence as last heard, or null when the roster does not hold them.</summary>
    public PresenceView? Find(string userId) => _members.GetValueOrDefault(userId);

    /// <summary><paramref name="userId"/>'s status; offline when not heard of (as the roster says of one never seen).</summary>
    public PresenceStatus StatusOf(string userId) => Find(userId)?.Status ?? PresenceStatus.Offline;

    public async ValueTask DisposeAsync()
    {
        if (_feed is not null)
        {
            await _feed.DisposeAsync();
        }
    }

    long ILiveCopy<TeamPresenceSnapshot, TeamPresenceChange>.SeqOf(TeamPresenceChange change) => change.Seq;

    bool ILiveCopy<TeamPresenceSnapshot, TeamPresenceChange>.IsReset(TeamPresenceChange change) => change.Reset;

    void ILiveCopy<TeamPresenceSnapshot, TeamPresenceChange>.Take(TeamPresenceSnapshot snapshot)
    {
        _members.Clear();
        foreach (var member in snapshot.Members)
        {
            _members[member.UserId] = member;
        }
    }

    bool ILiveCopy<TeamPresenceSnapshot, TeamPresenceChange>.Merge(TeamPresenceChange change)
    {
        if (change.Member is not { } member)
        {
            return false;
        }

        _members[member.UserId] = member;
        return true;
    }

    void ILiveCopy<TeamPresenceSnapshot, TeamPresenceChange>.Forget() => _members.Clear();
}
