using Huddle.Web.Http;
using Huddle.Web.Boards;
using Huddle.Web.Auth;
using Huddle.Web.Live;
using Huddle.Contracts.Boards;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Patients;

namespace Huddle.Web.Boards;

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
    private bool _reloading;
    private bool _dirty;

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
    public System.Collections.Immutable.ImmutableArray<Contracts.Patients.PatientProfile> Panel { get; private set; } = [];

    public TeamAccess Access { get; private set; }

    /// <summary>Why the board cannot be shown (forbidden, not found, unavailable), or null.</summary>
    public HuddleError? Error { get; private set; }

    public bool CanEdit => Access == TeamAccess.Member;

    /// <summary>
    /// Opens the board for <paramref name="userId"/>. <paramref name="dispatch"/> runs work on the
    /// component's renderer (its InvokeAsync); <paramref name="changed"/> re-renders it. Call it on
    /// the renderer too, so the snapshot and the changes are applied one at a time.
    /// </summary>
    public static async Task<LiveBoard> OpenAsync(BoardService boards, BoardRelay relay, string teamId, string userId,
        Func<Func<Task>, Task> dispatch, Action changed)
    {
        ArgumentNullException.ThrowIfNull(boards);
        ArgumentNullException.ThrowIfNull(relay);
        var live = new LiveBoard(boards, teamId, userId, dispatch, changed);
        if (await boards.AccessAsync(userId, teamId) == TeamAccess.None)
        {
            // Not allowed (or unknown): read once for the precise error, and never attach.
            live.Error = (await boards.ReadAsync(userId, teamId)).Error ?? HuddleError.Forbidden("Only members of the care team can read its board.");
            return live;
        }

        try
        {
            // Attach before reading, so no change can fall between snapshot and stream.
            live._attachment = await relay.AttachAsync(teamId, live.OnNotice);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            live.Error = BoardService.UnavailableError;
            return live;
        }

        live.Team = await boards.ProfileAsync(teamId);
        await live.ReloadAsync();
        if (live.Access == TeamAccess.Member)
        {
            live.Panel = (await boards.PanelAsync(userId, teamId)).Patients;
        }

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

    private void OnNotice(BoardNotice notice) => _ = _dispatch(() => ApplyAsync(notice));

    private async Task ApplyAsync(BoardNotice notice)
    {
        if (notice.Roster is { } roster)
        {
            Team = roster;
        }

        var change = Access == TeamAccess.Display ? notice.SharedScreen : notice.Full;
        if (change.Reset || Board is null)
        {
            // A new day, a roster change, a missed stretch, or a change before the first snapshot.
            await ReloadAsync();
        }
        else if (change.Version <= Board.Version)
        {
            return;
        }
        else if (change.ApplyTo(Board) is { } next)
        {
            Board = next;
        }
        else
        {
            await ReloadAsync();
        }

        _changed();
    }

    /// <summary>
    /// Re-reads the snapshot. One read at a time: a reload asked for while one is running makes it
    /// read again when done, so the newest snapshot always wins and an older one never overwrites it.
    /// </summary>
    private async Task ReloadAsync()
    {
        if (_reloading)
        {
            _dirty = true;
            return;
        }

        _reloading = true;
        try
        {
            do
            {
                _dirty = false;
                var read = await _boards.ReadAsync(_userId, TeamId);
                if (read.Error is { } error)
                {
                    Error = error;
                    if (error.Code is ErrorCodes.Forbidden or ErrorCodes.NotFound)
                    {
                        // No longer allowed: nothing of the board stays on screen.
                        Board = null;
                        Access = TeamAccess.None;
                    }
                }
                else if (read.Board is { } board)
                {
                    Error = null;
                    Access = read.Access;
                    if (Board is null || board.Version >= Board.Version || board.Day != Board.Day || Access == TeamAccess.Display)
                    {
                        Board = board;
                    }
                }
            }
            while (_dirty);
        }
        finally
        {
            _reloading = false;
        }
    }
}
