using System.Collections.Immutable;
using Huddle.Contracts.Boards;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Live;
using Huddle.Contracts.Patients;
using Huddle.Web.Live;

namespace Huddle.Web.Boards;

/// <summary>
/// A component's live copy of one board: the board's merge (<see cref="BoardChange.ApplyTo"/>) on the
/// one generic <see cref="LiveFeed{TSnapshot, TChange}"/>, which drops what is held, catches up on a gap,
/// a reset or a new day, so what it shows never silently drifts from the grain.
/// </summary>
public sealed class LiveBoard : ILiveCopy<BoardSnapshot, BoardChange>, IAsyncDisposable
{
    /// <summary>How many of the team's patients the "add a patient" menu lists (by name).</summary>
    public const int PanelPageSize = 100;

    private readonly BoardService _boards;
    private LiveFeed<BoardSnapshot, BoardChange>? _feed;

    private LiveBoard(BoardService boards, string teamId, string userId, bool wallView)
    {
        _boards = boards;
        TeamId = teamId;
        UserId = userId;
        WallView = wallView;
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

    /// <summary>Member or display, as the board's owner placed the reader; none when refused.</summary>
    public TeamAccess Access => _feed?.Audience switch
    {
        FeedAudiences.Members => TeamAccess.Member,
        FeedAudiences.Displays => TeamAccess.Display,
        _ => TeamAccess.None,
    };

    /// <summary>Why the board cannot be shown (forbidden, not found, unavailable), or null.</summary>
    public HuddleError? Error => _feed?.Error;

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
        ArgumentNullException.ThrowIfNull(changed);
        var live = new LiveBoard(boards, teamId, userId, wallView);
        live._feed = await LiveFeed<BoardSnapshot, BoardChange>.OpenAsync(boards.SourceOf(userId, teamId, wallView), live, dispatch, () =>
        {
            changed();
            return Task.CompletedTask;
        });
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
        if (_feed is not null)
        {
            await _feed.DisposeAsync();
        }
    }

    long ILiveCopy<BoardSnapshot, BoardChange>.SeqOf(BoardChange change) => change.Version;

    bool ILiveCopy<BoardSnapshot, BoardChange>.IsReset(BoardChange change) => change.Reset;

    void ILiveCopy<BoardSnapshot, BoardChange>.Take(BoardSnapshot snapshot)
    {
        Board = snapshot.Board;
        Team = snapshot.Team ?? Team;
    }

    bool ILiveCopy<BoardSnapshot, BoardChange>.Merge(BoardChange change)
    {
        // A reset (new day, roster, settings on the wall) or a gap cannot be merged.
        if (Board is null || change.ApplyTo(Board) is not { } next)
        {
            return false;
        }

        Board = next;
        return true;
    }

    void ILiveCopy<BoardSnapshot, BoardChange>.Forget()
    {
        Board = null;
        Team = null;
    }
}
