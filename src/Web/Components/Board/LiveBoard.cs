using Huddle.Grains.CareTeams;
using Huddle.Grains.CareTeams.Board;
using Huddle.Grains.Common;
using Huddle.Web.Api;
using Huddle.Web.Relay;

namespace Huddle.Web.Components.Board;

/// <summary>
/// A component's live copy of one board: the snapshot, then every change merged in as the relay
/// delivers it. A gap in versions (or a new day) makes it re-read the snapshot, so what it shows
/// never silently drifts from the grain.
/// </summary>
public sealed class LiveBoard : IAsyncDisposable
{
    private readonly BoardService _boards;
    private readonly string _userId;
    private readonly Func<Func<Task>, Task> _dispatch;
    private readonly Action _changed;
    private IAsyncDisposable? _attachment;

    private LiveBoard(BoardService boards, string teamId, string userId, Func<Func<Task>, Task> dispatch, Action changed)
    {
        _boards = boards;
        TeamId = teamId;
        _userId = userId;
        _dispatch = dispatch;
        _changed = changed;
    }

    public string TeamId { get; }

    public string UserId => _userId;

    public HuddleBoard? Board { get; private set; }

    public CareTeamProfile? Team { get; private set; }

    /// <summary>The team's patients (members only; empty for a room display).</summary>
    public System.Collections.Immutable.ImmutableArray<Grains.Patients.PatientProfile> Panel { get; private set; } = [];

    public TeamAccess Access { get; private set; }

    /// <summary>Why the board cannot be shown (forbidden, not found, unavailable), or null.</summary>
    public HuddleError? Error { get; private set; }

    public bool CanEdit => Access == TeamAccess.Member;

    /// <summary>
    /// Opens the board for <paramref name="userId"/>. <paramref name="dispatch"/> runs work on the
    /// component's renderer (its InvokeAsync); <paramref name="changed"/> re-renders it.
    /// </summary>
    public static async Task<LiveBoard> OpenAsync(BoardService boards, BoardRelay relay, string teamId, string userId,
        Func<Func<Task>, Task> dispatch, Action changed)
    {
        ArgumentNullException.ThrowIfNull(boards);
        ArgumentNullException.ThrowIfNull(relay);
        var live = new LiveBoard(boards, teamId, userId, dispatch, changed);
        live.Access = await boards.AccessAsync(userId, teamId);
        if (live.Access != TeamAccess.None)
        {
            // Attach before reading, so no change can fall between snapshot and stream.
            live._attachment = await relay.AttachAsync(teamId, live.OnNotice);
            live.Team = await boards.ProfileAsync(teamId);
            if (live.Access == TeamAccess.Member)
            {
                live.Panel = (await boards.PanelAsync(userId, teamId)).Patients;
            }
        }

        await live.ReloadAsync();
        return live;
    }

    /// <summary>Applies <paramref name="command"/>; returns the error, or null when accepted.</summary>
    public async Task<HuddleError?> ExecuteAsync(BoardCommand command) =>
        (await _boards.ExecuteAsync(_userId, TeamId, command)).Error;

    /// <summary>The display name of a team member, or the id when unknown.</summary>
    public string NameOf(string? userId) =>
        userId is null ? "" : Team?.Members.FirstOrDefault(m => m.UserId == userId)?.DisplayName ?? userId;

    public async ValueTask DisposeAsync()
    {
        if (_attachment is not null)
        {
            await _attachment.DisposeAsync();
        }
    }

    private void OnNotice(BoardNotice notice) =>
        _ = _dispatch(() => ApplyAsync(Access == TeamAccess.Display ? notice.SharedScreen : notice.Full));

    private async Task ApplyAsync(BoardChange change)
    {
        if (Board is null || change.Version <= Board.Version)
        {
            return;
        }

        if (change.ApplyTo(Board) is { } next)
        {
            Board = next;
        }
        else
        {
            await ReloadAsync();
        }

        _changed();
    }

    private async Task ReloadAsync()
    {
        var read = await _boards.ReadAsync(_userId, TeamId);
        Error = read.Error;
        Board = read.Board ?? Board;
        if (read.Error is null)
        {
            Access = read.Access;
        }
    }
}
