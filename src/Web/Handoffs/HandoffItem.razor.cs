using Huddle.Web.Layout;
using Huddle.Contracts.Common;
using Huddle.Contracts.Handoffs;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;

namespace Huddle.Web.Handoffs;

/// <summary>
/// One handoff as a clinician acts on it: priority, room, who asked, where it stands in words, and
/// only the actions the viewer may take now (accept with an ETA, decline with a reason, join,
/// complete; for the requester cancel and the referral fallback). A consultant who declined sees "You
/// declined" instead of the answer buttons, also after a reload (the summary carries the decliners).
/// </summary>
public sealed partial class HandoffItem : IDisposable
{
    private EtaTicker? _ticker;
    private (string HandoffId, int Declines)? _gistFor;
    private HandoffGist? _gist;
    private bool _declining;
    private bool _busy;
    private string? _reason;

    [Parameter, EditorRequired]
    public HandoffSummary Item { get; set; } = default!;

    [Parameter, EditorRequired]
    public LiveInbox Live { get; set; } = default!;

    /// <summary>Shows a link to the handoff's page (its details load there, and the open is logged).</summary>
    [Parameter]
    public bool ShowDetailsLink { get; set; } = true;

    /// <summary>Called after an action was accepted (a page showing details reloads them).</summary>
    [Parameter]
    public EventCallback OnChanged { get; set; }

    /// <summary>
    /// Shows the patient and the situation (the signed-in inbox), so several pings read apart without
    /// opening each: read through the handoff's open and the patient read, with the viewer's access, each
    /// logged by ids. Never on the wall or in a notification.
    /// </summary>
    [Parameter]
    public bool ShowGist { get; set; }

    /// <summary>
    /// Focuses the status line when the item first shows: it replaced the control that had focus (the
    /// patient page's request form gives way to "Your warm handoff"), so a screen reader reads the new
    /// status instead of focus falling to the page.
    /// </summary>
    [Parameter]
    public bool FocusStatusWhenShown { get; set; }

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    private DateTimeOffset Now => Time.GetUtcNow();

    private bool Pinged => Live.IsPingedFor(Item);

    /// <summary>The signed-in user asked for it (a team member opening it from the board is neither this nor pinged).</summary>
    private bool Requester => Item.RequesterId == Live.UserId;

    /// <summary>The status line, focused after a step of the user's own or when first shown with <see cref="FocusStatusWhenShown"/>.</summary>
    private ElementReference _statusLine;
    private bool _focusStatus;

    private bool Mine => Item.AcceptedBy == Live.UserId;

    private bool Declined => Pinged && Live.HasDeclined(Item);

    /// <summary>
    /// A handoff that ended and still waits on its requester (schedule the referral nobody answered for,
    /// or mark the one scheduled): its card says for whom, or the PCP must open it to learn which patient.
    /// </summary>
    private bool RequesterActs => Requester
        && ((Item.Status is HandoffStatus.Failed or HandoffStatus.Declined && Item.Referral is null) || Item.Referral == ReferralStatus.Scheduled);

    private bool CanAnswer => Pinged && Item.Status == HandoffStatus.Requested && !Declined;

    protected override void OnInitialized() => _focusStatus = FocusStatusWhenShown;

    /// <summary>The patient and situation are shown (<see cref="ShowGist"/>) while there is something to do about it.</summary>
    private bool GistShown => ShowGist && (Item.IsOpen || RequesterActs);

    /// <summary>The requester sees who declined and why (read again with each new decline), wherever the card shows.</summary>
    private bool DeclinesShown => Requester && !Item.Declined.IsEmpty;

    /// <summary>
    /// The handoff in full, when the page already holds it (and reads it again as it changes): the requester's
    /// declines are read from it, with no open of their own (each open is an audit record).
    /// </summary>
    [Parameter]
    public Handoff? Detail { get; set; }

    protected override async Task OnParametersSetAsync()
    {
        if (Detail is { } held && held.HandoffId == Item.HandoffId && !GistShown)
        {
            _gist = DeclinesShown ? HandoffGist.Of(held, null) : null;
            return;
        }

        var key = (Item.HandoffId, DeclinesShown ? Item.Declined.Length : 0);
        if (!(GistShown || DeclinesShown) || _gistFor == key)
        {
            return;
        }

        // One open of the handoff for both (each open is in the audit trail); the patient read only for the gist.
        _gistFor = key;
        _gist = await Live.GistAsync(Item.HandoffId, withPatient: GistShown);
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        // Only once rendered interactively (never while prerendering): the countdown ticks while shown.
        _ticker ??= new EtaTicker(Time, () => InvokeAsync(StateHasChanged));
        _ticker.Keep(EtaTicker.Counts(Item));
        if (_focusStatus)
        {
            // The button that had focus went with the step (Accept, Join, Complete…): focus goes to the new
            // status, which a screen reader then reads ("Accepted by you, arriving in 5 min"), not to the page.
            _focusStatus = false;
            await _statusLine.FocusUnlessGoneAsync();
        }
    }

    public void Dispose() => _ticker?.Dispose();

    private Task AcceptAsync(int eta) => RunAsync(new AcceptHandoff(eta));

    private async Task DeclineAsync()
    {
        await RunAsync(new DeclineHandoff(_reason!.Trim()));
        _declining = false;
    }

    private async Task RunAsync(HandoffCommand command)
    {
        _busy = true;
        try
        {
            if (await Live.ExecuteAsync(Item.HandoffId, command) is { } error)
            {
                Snackbar.Add(error.Message, error.Code == ErrorCodes.Unavailable ? Severity.Error : Severity.Warning);
                return;
            }

            _focusStatus = true;
            await OnChanged.InvokeAsync();
        }
        finally
        {
            _busy = false;
        }
    }
}
