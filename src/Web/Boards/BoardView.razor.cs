using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;
using Huddle.Contracts.Boards;
using Huddle.Contracts.Common;

namespace Huddle.Web.Boards;

/// <summary>
/// The huddle board: lanes of patient cards (drag and drop, or each card's "Move to" menu), the
/// huddle bar, action items and look-back/look-ahead notes. A move is announced in a live region and,
/// made from the menu, keeps focus on the moved card's menu button, so the board works by keyboard and
/// screen reader alone. In shared-screen mode it is read-only,
/// large, and privacy-filtered unless the team has turned names on.
/// </summary>
public sealed partial class BoardView
{
    private MudDropContainer<PatientCard>? _container;
    private long _renderedVersion = -1;
    private HuddleBoard? _indexed;
    private Dictionary<string, string> _laneOfCard = [];
    private string? _announcement;

    [Parameter, EditorRequired]
    public LiveBoard Live { get; set; } = default!;

    [Parameter]
    public bool SharedScreen { get; set; }

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private IJSRuntime JS { get; set; } = default!;

    /// <summary>The board as this view may show it: the grain already filtered it for the wall view.</summary>
    private HuddleBoard? Board => Live.Board;

    /// <summary>As <see cref="BoardPart"/>'s Editable: members, not the wall, and only once interactive.</summary>
    private bool CanDrag => Live.CanEdit && !SharedScreen && RendererInfo.IsInteractive;

    protected override void OnAfterRender(bool firstRender)
    {
        // The drop container keeps its own item layout: refresh it once the new board has rendered.
        if (Live.Board is { } board && board.Version != _renderedVersion)
        {
            _renderedVersion = board.Version;
            _container?.Refresh();
        }
    }

    private static IEnumerable<PatientCard> OrderedCards(HuddleBoard board)
    {
        foreach (var lane in board.Lanes)
        {
            foreach (var id in lane.CardIds)
            {
                if (board.FindCard(id) is { } card)
                {
                    yield return card;
                }
            }
        }
    }

    // The drop container asks this for every card and every lane on each render: answer from an
    // index built once per board version instead of scanning the lanes each time.
    private bool InLane(PatientCard card, string laneId)
    {
        if (!ReferenceEquals(_indexed, Live.Board))
        {
            _indexed = Live.Board;
            _laneOfCard = _indexed?.Lanes.SelectMany(l => l.CardIds.Select(id => (Card: id, Lane: l.Id))).ToDictionary(x => x.Card, x => x.Lane) ?? [];
        }

        return _laneOfCard.TryGetValue(card.Id, out var lane) && lane == laneId;
    }

    private async Task OnCardDroppedAsync(MudItemDropInfo<PatientCard> drop)
    {
        if (drop.Item is null || Live.Board is not { } board)
        {
            return;
        }

        var lane = board.FindLane(drop.DropzoneIdentifier);
        if (lane is null)
        {
            return;
        }

        var sameLane = board.LaneOf(drop.Item.Id)?.Id == lane.Id;
        var max = sameLane ? lane.CardIds.Length - 1 : lane.CardIds.Length;
        var index = Math.Clamp(drop.IndexInZone, 0, Math.Max(0, max));
        var error = await Live.ExecuteAsync(new MoveCard(drop.Item.Id, lane.Id, index) { ExpectedVersion = board.Version });
        await ShowError(error);
        if (error is null)
        {
            Announce(drop.Item.Id, lane.Id);
        }

        // A rejected drop must snap back to where the board says the card is.
        _container?.Refresh();
    }

    private async Task OnCardMovedAsync((string CardId, string LaneId) move)
    {
        Announce(move.CardId, move.LaneId);
        // The card is rendered anew in its new lane (once the board's change arrives): the focus the
        // menu had goes with it, not back to the top of the page.
        await JS.InvokeVoidAsync("huddle.focusWhenShown", $"[data-lane-id=\"{move.LaneId}\"] [data-card-id=\"{move.CardId}\"] [data-testid=card-menu] button");
    }

    private void Announce(string cardId, string laneId)
    {
        if (Live.Board is { } board && board.FindLane(laneId) is { } lane)
        {
            _announcement = $"{board.FindCard(cardId)?.PatientName ?? "Card"} moved to {lane.Title}";
        }
    }

    private async Task AddCardAsync(string patientId, string laneId) =>
        await ShowError(await Live.ExecuteAsync(new AddCard(patientId, laneId)));

    private Task ShowError(HuddleError? error)
    {
        if (error is not null)
        {
            Snackbar.Add(error.Code == ErrorCodes.VersionConflict ? "The board changed while you were moving; please try again." : error.Message,
                error.Code == ErrorCodes.Unavailable ? Severity.Error : Severity.Warning);
        }

        return Task.CompletedTask;
    }
}
