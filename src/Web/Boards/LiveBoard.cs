using System.Collections.Immutable;
using Huddle.Contracts.Boards;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Patients;
using Huddle.Web.Live;

namespace Huddle.Web.Boards;

/// <summary>
/// A component's live copy of one board: opened with one call through the relay, then every change
/// of its audience merged in as the relay delivers it. A gap, a reset or a new day makes it catch up
/// with <c>ReadSince</c> (the changes it missed, or the snapshot when they are no longer kept), so
/// what it shows never silently drifts from the grain.
/// </summary>
public sealed class LiveBoard : IAsyncDisposable
{
    /// <summary>How many of the team's patients the "add a patient" menu lists (by name).</summary>
    public const int PanelPageSize = 100;

    private readonly BoardService _boards;
    private readonly RendererFeed<BoardChange> _feed;
    private IAsyncDisposable? _watch;

    private LiveBoard(BoardService boards, string teamId, string userId, bool wallView, Func<Func<Task>, Task> dispatch, Action changed)
    {
        _boards = boards;
        TeamId = teamId;
        UserId = userId;
        WallView = wallView;
        _feed = new RendererFeed<BoardChange>(dispatch, ApplyAsync, CatchUpOnceAsync, () =>
        {
            changed();
            return Task.CompletedTask;
        });
    }

    public string TeamId { get; }

    public string UserId { get; }

    /// <summary>True for the wall view: the privacy-filtered board, whoever watches it.</summary>
    public bool WallView { get; }

    public HuddleBoard? Board { get; private set; }

    public CareTeamProfile? Team { get; private set; }

    /// <summary>
    /// The first page of the team's patients by name (members only; empty for the wall view), once
    /// <see cref="LoadPanelAsync"/> has read it: opening the board does not, so that opening a board
    /// costs one call on the team's grain and one on each of its other feeds' owners, and nothing else.
    /// </summary>
    public ImmutableArray<PatientProfile> Panel { get; private set; } = [];

    /// <summary>True once <see cref="Panel"/> has been read.</summary>
    public bool PanelLoaded { get; private set; }

    public TeamAccess Access { get; private set; }

    /// <summary>Why the board cannot be shown (forbidden, not found, unavailable), or null.</summary>
    public HuddleError? Error { get; private set; }

    public bool CanEdit => Access == TeamAccess.Member && !WallView;

    /// <summary>
    /// Opens the board for <paramref name="userId"/>. <paramref name="dispatch"/> runs work on the
    /// component's renderer (its InvokeAsync); <paramref name="changed"/> re-renders it. Call it on
    /// the renderer too, so the snapshot and the changes are applied one at a time.
    /// </summary>
    public static async Task<LiveBoard> OpenAsync(BoardService boards, string teamId, string userId, bool wallView,
        Func<Func<Task>, Task> dispatch, Action changed)
    {
        ArgumentNullException.ThrowIfNull(boards);
        var live = new LiveBoard(boards, teamId, userId, wallView, dispatch, changed);
        var (open, watch) = await boards.WatchAsync(userId, teamId, wallView, live._feed.Enqueue);
        live._watch = watch;
        live.Take(open);
        return live;
    }

    /// <summary>Reads the first page of the team's panel (when someone is about to add a card), once.</summary>
    public async Task LoadPanelAsync()
    {
        if (PanelLoaded || !CanEdit)
        {
            return;
        }

        var page = await _boards.PanelAsync(UserId, TeamId, null, 0, PanelPageSize);
        Panel = page.Value?.Patients ?? [];
        // An outage leaves it unread, so the next opening of the menu asks again.
        PanelLoaded = page.Ok;
    }

    /// <summary>Applies <paramref name="command"/>; returns the error, or null when accepted.</summary>
    public async Task<HuddleError?> ExecuteAsync(BoardCommand command) =>
        (await _boards.ExecuteAsync(UserId, TeamId, command)).Error;

    /// <summary>The display name of a team member, or the id when unknown.</summary>
    public string NameOf(string? userId) =>
        userId is null ? "" : Team?.Members.FirstOrDefault(m => m.UserId == userId)?.DisplayName ?? userId;

    public async ValueTask DisposeAsync()
    {
        if (_watch is not null)
        {
            await _watch.DisposeAsync();
        }
    }

    private async Task<bool> ApplyAsync(BoardChange change)
    {
        if (Board is null || (change.Version <= Board.Version && !change.Reset))
        {
            // Not open (an error is shown), or already included in what is shown. A reset is never
            // stale: it may come from a board that went back (its in-memory state was lost).
            return false;
        }

        if (change.ApplyTo(Board) is { } next)
        {
            Board = next;
        }
        else
        {
            // A reset (new day, roster, settings on the wall), or a gap.
            await _feed.CatchUpAsync();
        }

        return true;
    }

    /// <summary>One catch-up read: what was missed, or the snapshot when the missed stretch holds a reset.</summary>
    private async Task CatchUpOnceAsync()
    {
        var read = await _boards.ReadSinceAsync(UserId, TeamId, Board?.Version, WallView);
        if (read.Value is { Reset: false } missed && !Replay(missed.Changes))
        {
            // The missed stretch holds a reset: only the snapshot tells what the board is now.
            read = await _boards.ReadSinceAsync(UserId, TeamId, null, WallView);
        }

        Take(read);
    }

    /// <summary>Merges <paramref name="changes"/> in order; false when one cannot be merged.</summary>
    private bool Replay(ImmutableArray<BoardChange> changes)
    {
        var board = Board;
        foreach (var change in changes)
        {
            if (board is null || change.Version <= board.Version)
            {
                continue;
            }

            if (change.ApplyTo(board) is not { } next)
            {
                return false;
            }

            board = next;
        }

        Board = board;
        return true;
    }

    private void Take(Result<BoardSubscription> read)
    {
        if (read.Error is { } error)
        {
            Error = error;
            if (error.Code is ErrorCodes.Forbidden or ErrorCodes.NotFound or ErrorCodes.ValidationFailed)
            {
                // No longer allowed: nothing of the board stays on screen.
                Board = null;
                Team = null;
                Access = TeamAccess.None;
            }

            return;
        }

        var subscription = read.Value!;
        Error = null;
        Access = subscription.Access;
        if (subscription.Board is { } snapshot)
        {
            Board = snapshot;
            Team = subscription.Team ?? Team;
        }
    }
}
