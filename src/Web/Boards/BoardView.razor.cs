using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;
using Huddle.Contracts.Boards;
using Huddle.Contracts.Common;

namespace Huddle.Web.Boards;

/// <summary>
/// The huddle board: lanes of patient cards (drag and drop, or each card's menu: "Move to" another
/// lane, "Move up"/"Move down"/"Move to top"/"Move to bottom" in its own), the huddle bar, action items
/// and look-back/look-ahead notes. A move is announced in a live region and, made from the menu, keeps
/// focus on the moved card's menu button, so the board works by keyboard and screen reader alone.
/// In shared-screen mode it is read-only, large, and privacy-filtered unless the team has turned names on.
/// </summary>
public sealed partial class BoardView : IAsyncDisposable
{
    private MudDropContainer<PatientCard>? _container;
    private long _renderedVersion = -1;
    private HuddleBoard? _indexed;
    private Dictionary<string, string> _laneOfCard = [];
    private string? _announcement;
    private IJSObjectReference? _js;
    private ElementReference _boardElement;
    private IJSObjectReference? _laneWatch;
    private IJSObjectReference? _laneFit;
    private string? _watchedId;

    [Parameter, EditorRequired]
    public LiveBoard Live { get; set; } = default!;

    /// <summary>
    /// What the clinician's board page adds beside the board (the team's chat): a column of its own on a
    /// wide screen, under the side panels on a smaller one. Never on the shared screen: the room display
    /// never shows chat.
    /// </summary>
    [Parameter]
    public RenderFragment? SideContent { get; set; }

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

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        // The wall cannot scroll: once its board is on the page, count in each lane the cards the
        // screen cuts off, and keep counting as cards come and go (on a new element, should the
        // board's element ever be rendered anew).
        // Every board, on a phone: the lanes' row is kept as tall as the lane in view (fitLanesToView).
        if (RendererInfo.IsInteractive && Live.Board is not null && _boardElement.Context is not null && _watchedId != _boardElement.Id)
        {
            // Taken before the first await: a render while this one waits must not start a second watch.
            var element = _boardElement;
            _watchedId = element.Id;
            try
            {
                _js ??= await JS.InvokeAsync<IJSObjectReference>("import", "./Boards/BoardView.razor.js");
                await StopWatchingLanesAsync();
                _laneWatch = SharedScreen ? await _js.InvokeAsync<IJSObjectReference>("watchLaneOverflow", element) : null;
                _laneFit = await _js.InvokeAsync<IJSObjectReference>("fitLanesToView", element);
            }
            catch (JSDisconnectedException)
            {
                // The browser left: the circuit is ending.
            }
        }
    }

    /// <summary>The patients with an open warm handoff (the handoff strip tells them): their cards say so.</summary>
    private IReadOnlySet<string> _handoffPatients = new HashSet<string>();

    private Task OnOpenHandoffPatientsAsync(IReadOnlySet<string> patients)
    {
        _handoffPatients = patients;
        // The drop container lays its cards out itself: it re-renders them once told.
        _container?.Refresh();
        return Task.CompletedTask;
    }

    /// <summary>A patient's name as this board shows it (a card, else the team's panel once read), for the handoff strip.</summary>
    private string? PatientNameOf(string patientId) =>
        Board?.Cards.FirstOrDefault(c => c.PatientId == patientId)?.PatientName
        ?? Live.Panel.FirstOrDefault(p => p.PatientId == patientId)?.DisplayName;

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
        var from = board.LaneOf(drop.Item.Id)?.Id ?? lane.Id;
        var error = await Live.ExecuteAsync(new MoveCard(drop.Item.Id, lane.Id, index) { ExpectedVersion = board.Version });
        await ShowError(error);
        if (error is null)
        {
            Announce(new CardMove(drop.Item.Id, from, lane.Id, index, sameLane ? lane.CardIds.Length : lane.CardIds.Length + 1));
        }

        // A rejected drop must snap back to where the board says the card is.
        _container?.Refresh();
    }

    private async Task OnCardMovedAsync(CardMove move)
    {
        Announce(move);
        // The card is rendered anew at its place (once the board's change arrives, and in its own lane
        // only after the drop container's refresh, so it briefly shows where it was): the focus the
        // menu had goes with it, not to the card that took its old place nor to the top of the page.
        try
        {
            _js ??= await JS.InvokeAsync<IJSObjectReference>("import", "./Boards/BoardView.razor.js");
            await _js.InvokeVoidAsync("focusCardWhenAt", move.ToLaneId, move.CardId, move.ToIndex);
        }
        catch (JSDisconnectedException)
        {
            // The browser left: the circuit is ending.
        }
    }

    /// <summary>Says where the card went: its new lane, or its place in its own lane.</summary>
    private void Announce(CardMove move)
    {
        if (Live.Board is { } board && board.FindLane(move.ToLaneId) is { } lane)
        {
            var name = board.FindCard(move.CardId)?.PatientName ?? "Card";
            _announcement = move.WithinLane
                ? $"Moved {name} to position {move.ToIndex + 1} of {move.LaneLength} in {lane.Title}"
                : $"{name} moved to {lane.Title}";
        }
    }

    /// <summary>The panel is read when the add menu first opens, not when the board does.</summary>
    private async Task OnAddMenuOpenChangedAsync(bool open)
    {
        if (open)
        {
            await Live.LoadPanelAsync();
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

    private async Task StopWatchingLanesAsync()
    {
        foreach (var watch in new[] { _laneWatch, _laneFit }.OfType<IJSObjectReference>())
        {
            await watch.InvokeVoidAsync("dispose");
            await watch.DisposeAsync();
        }

        (_laneWatch, _laneFit) = (null, null);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopWatchingLanesAsync();
        }
        catch (JSDisconnectedException)
        {
            // The circuit is gone, and the watch with its page.
        }

        if (_js is not null)
        {
            try
            {
                await _js.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
                // The circuit is gone, and the module with it.
            }
        }
    }
}
