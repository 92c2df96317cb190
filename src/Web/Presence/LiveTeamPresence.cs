using Huddle.Contracts.Presence;
using Huddle.Web.Live;

namespace Huddle.Web.Presence;

/// <summary>
/// A component's live copy of a team's presence roster (<c>presence:{teamId}</c>): opened with one call
/// through the relay, then every change merged in as the relay delivers it; a gap or a reset re-reads
/// the roster. One copy serves everything on a screen that shows presence — the "Who's free" strip and
/// the handoff target picker of the patient page read the same one, so they never disagree and the
/// roster is watched once.
/// </summary>
public sealed class LiveTeamPresence : IAsyncDisposable
{
    private readonly TeamPresenceService _presence;
    private readonly string _userId;
    private readonly Dictionary<string, PresenceView> _members = new(StringComparer.Ordinal);
    private readonly RendererFeed<TeamPresenceChange> _feed;
    private IAsyncDisposable? _watch;

    private LiveTeamPresence(TeamPresenceService presence, string userId, string teamId, Func<Func<Task>, Task> dispatch, Func<Task> changed)
    {
        _presence = presence;
        _userId = userId;
        TeamId = teamId;
        _feed = new RendererFeed<TeamPresenceChange>(dispatch, ApplyAsync, CatchUpOnceAsync, changed);
    }

    public string TeamId { get; }

    /// <summary>The last roster seq merged in (-1 before the first read).</summary>
    public long Seq { get; private set; } = -1;

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
        var live = new LiveTeamPresence(presence, userId, teamId, dispatch, changed);
        var (open, watch) = await presence.WatchAsync(userId, teamId, live._feed.Enqueue);
        live._watch = watch;
        live.Take(open.Value);
        return live;
    }

    /// <summary><paramref name="userId"/>'s presence as last heard, or null when the roster does not hold them.</summary>
    public PresenceView? Find(string userId) => _members.GetValueOrDefault(userId);

    /// <summary><paramref name="userId"/>'s status; offline when not heard of (as the roster says of one never seen).</summary>
    public PresenceStatus StatusOf(string userId) => Find(userId)?.Status ?? PresenceStatus.Offline;

    public async ValueTask DisposeAsync()
    {
        if (_watch is not null)
        {
            await _watch.DisposeAsync();
        }
    }

    private async Task<bool> ApplyAsync(TeamPresenceChange change)
    {
        if (change.Seq <= Seq && !change.Reset)
        {
            return false;
        }

        if (change.Reset || change.Seq > Seq + 1 || change.Member is null)
        {
            await _feed.CatchUpAsync();
            return true;
        }

        Seq = change.Seq;
        _members[change.Member.UserId] = change.Member;
        return true;
    }

    private async Task CatchUpOnceAsync()
    {
        // The roster is small: a fresh read is the simplest correct catch-up.
        Take((await _presence.ReadAsync(_userId, TeamId, null)).Value);
    }

    private void Take(TeamPresenceReply? reply)
    {
        if (reply?.Presence is not { } roster)
        {
            return;
        }

        _members.Clear();
        foreach (var member in roster.Members)
        {
            _members[member.UserId] = member;
        }

        Seq = reply.Seq;
    }
}
