using System.Collections.Immutable;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Handoffs;
using Huddle.Contracts.Patients;
using Huddle.Contracts.Presence;
using Huddle.Web.Layout;
using Huddle.Web.Live;
using Huddle.Web.Presence;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Huddle.Web.Handoffs;

/// <summary>
/// A patient of a team as a clinician in the exam room needs it: name and room, and the "Request warm
/// handoff" form (a role on the team, BHC by default, or a named member with their presence; priority;
/// SBAR within its limits; room prefilled), then the request's status live from the requester's inbox.
/// The team's presence roster is watched once, live, and read by both the "Who's free" strip and the
/// picker, so a named clinician's status in the picker is what it is now, not what it was at page open.
/// </summary>
public sealed partial class PatientPage
{
    private static readonly HandoffPriority[] Priorities = [HandoffPriority.Routine, HandoffPriority.Urgent, HandoffPriority.Asap, HandoffPriority.Stat];

    private static readonly (string Key, string Label, string Help)[] SbarFields =
    [
        ("situation", "Situation", "What is happening now"),
        ("background", "Background", "Relevant history"),
        ("assessment", "Assessment", "What you think is going on"),
        ("recommendation", "Recommendation", "What you are asking for"),
    ];

    private readonly Dictionary<string, string?> _sbar = SbarFields.ToDictionary(f => f.Key, _ => (string?)null);
    private PatientProfile? _patient;
    private ImmutableArray<HandoffSummary> _history = [];
    private CareTeamProfile? _team;
    private Dictionary<string, string> _names = [];
    private ImmutableArray<CareTeamProfile> _chatTeams = [];
    private LiveTeamPresence? _roster;
    private HuddleError? _error;
    private string? _target;
    /// <summary>
    /// The priority the requester chose; none until they do. Preselecting "Urgent" made every request urgent
    /// (the consultant's pings could no longer be told apart, and escalation ran on the urgent clock); a
    /// preselected "Routine" would under-call a safety concern. So it is asked, like the room.
    /// </summary>
    private HandoffPriority? _priority;
    private string? _room;
    private string? _requestedId;
    private string _opId = NewOpId();
    private bool _busy;
    private ElementReference _formHeading;
    private bool _focusForm;

    [Parameter]
    public string TeamId { get; set; } = "";

    [Parameter]
    public string PatientId { get; set; } = "";

    /// <summary>The team's profile when the host already read it (the widget does): then the page does not read it again.</summary>
    [Parameter]
    public CareTeamProfile? Team { get; set; }

    /// <summary>The patient when the host already read it, with this user's access (the widget does): then not read again.</summary>
    [Parameter]
    public PatientProfile? Patient { get; set; }

    /// <summary>Shown inside the EHR widget: no way back to the board, no heading of its own (the widget has them).</summary>
    [Parameter]
    public bool Embedded { get; set; }

    [Inject]
    private TeamPresenceService TeamPresence { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    [Inject]
    private Huddle.Web.Chat.ChatService Chat { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    /// <summary>The roles someone else on the team holds, BHC first.</summary>
    private ImmutableArray<CareTeamRole> Roles =>
        [.. _team!.Members.Where(m => m.UserId != UserId).Select(m => m.Role).Distinct().OrderBy(r => r == CareTeamRole.Bhc ? 0 : 1).ThenBy(r => r)];

    /// <summary>What the request still needs, said under the button while it cannot be pressed.</summary>
    private string? Missing
    {
        get
        {
            if (_target is null)
            {
                return "Nobody else on the team to send it to.";
            }

            if (RoomTooLong)
            {
                return $"Shorten the room to at most {HandoffLimits.Room} characters to send the request.";
            }

            var (noPriority, noRoom, noSituation) = (_priority is null, string.IsNullOrWhiteSpace(_room), string.IsNullOrWhiteSpace(_sbar["situation"]));
            var fill = (noRoom, noSituation) switch
            {
                (true, true) => "fill in the room and the situation",
                (true, false) => "fill in the room",
                (false, true) => "fill in the situation",
                _ => null,
            };
            var todo = (noPriority, fill) switch
            {
                (true, null) => "Choose a priority to send the request: how soon should the consultant come?",
                (true, _) => $"Choose a priority and {fill} to send the request.",
                (false, null) => null,
                (false, _) when noRoom && !noSituation => "Fill in the room to send the request: where should the consultant come?",
                (false, _) => $"F{fill[1..]} to send the request.",
            };
            return todo;
        }
    }

    private bool CanSubmit => !_busy && _target is not null && _priority is not null && !string.IsNullOrWhiteSpace(_sbar["situation"]) && !string.IsNullOrWhiteSpace(_room) && !RoomTooLong;

    /// <summary>The room as typed is over the limit (trimmed, as the rules count it).</summary>
    private bool RoomTooLong => _room?.Trim().Length > HandoffLimits.Room;

    protected override async Task OnInitializedAsync()
    {
        await base.OnInitializedAsync();
        if (!Reads)
        {
            return;
        }

        var team = Team is { } known && known.TeamId == TeamId ? Result<CareTeamProfile>.Success(known) : await Handoffs.TeamAsync(UserId, TeamId);
        var patient = !team.Ok ? Result<PatientProfile>.Failure(team.Error!)
            : Patient is { } read && read.PatientId == PatientId ? Result<PatientProfile>.Success(read)
            : await Handoffs.PatientAsync(UserId, TeamId, PatientId);
        if (patient.Error is { } error)
        {
            _error = error;
            return;
        }

        _team = team.Value;
        _patient = patient.Value;
        // The patient's thread is shared by all of the patient's care teams: their clinicians and roles can be mentioned, and named.
        _chatTeams = await Chat.PatientTeamsAsync(_patient!, _team!);
        _names = _chatTeams.SelectMany(t => t.Members).DistinctBy(m => m.UserId).ToDictionary(m => m.UserId, m => m.DisplayName, StringComparer.Ordinal);
        _history = (await Handoffs.PatientHandoffsAsync(UserId, PatientId)).Value;
        _room = _patient!.Room;
        _target = Roles.Length > 0 ? $"role:{Roles[0]}" : null;
        Prepare();
        // The one live roster of this page (the strip shows it too): each change re-renders the page.
        _roster = await LiveTeamPresence.OpenAsync(TeamPresence, UserId, TeamId, InvokeAsync, () =>
        {
            StateHasChanged();
            return Task.CompletedTask;
        }).KeptUnlessLeftAsync(() => Disposed);
    }

    protected override async ValueTask DisposeCoreAsync()
    {
        if (_roster is not null)
        {
            await _roster.DisposeAsync();
        }
    }

    /// <summary>A named clinician's status as the live roster has it now, or null while it is not read.</summary>
    private PresenceStatus? StatusOf(string userId) => _roster is { Known: true } roster ? roster.StatusOf(userId) : null;

    private string PresenceOf(string userId) => StatusOf(userId) is { } status ? $" — {PresenceLabels.Of(status)}" : "";

    private async Task RequestAsync()
    {
        _busy = true;
        try
        {
            var target = _target!.StartsWith("role:", StringComparison.Ordinal)
                ? new HandoffTarget(Role: Enum.Parse<CareTeamRole>(_target["role:".Length..]))
                : new HandoffTarget(UserId: _target["user:".Length..]);
            var reason = new Sbar(_sbar["situation"]!.Trim(), Blank(_sbar["background"]), Blank(_sbar["assessment"]), Blank(_sbar["recommendation"]));
            // The op id is kept until the request is accepted, so pressing again after "unavailable" cannot request twice.
            var reply = await Live!.RequestAsync(new RequestHandoff(TeamId, PatientId, _room!.Trim(), target, _priority!.Value, reason) { OpId = _opId });
            if (reply.Error is { } error)
            {
                Snackbar.Add(error.Message, error.Code == ErrorCodes.Unavailable ? Severity.Error : Severity.Warning);
                return;
            }

            _requestedId = reply.Value!.HandoffId;
        }
        finally
        {
            _busy = false;
        }
    }

    private void NewRequest()
    {
        _requestedId = null;
        _focusForm = true;
        _opId = NewOpId();
        _priority = null;
        Prepare();
        foreach (var key in _sbar.Keys.ToList())
        {
            _sbar[key] = null;
        }
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!_focusForm)
        {
            return;
        }

        // "Request another" went with the handoff it followed: focus goes to the form's heading, which a
        // screen reader reads, not to the page.
        _focusForm = false;
        await _formHeading.FocusUnlessGoneAsync();
    }

    /// <summary>
    /// The form is open: the handoff it may request is readied now (its grain's read is off the ping's
    /// path). Nothing depends on it: a failure only leaves that read to the request.
    /// </summary>
    private void Prepare() => _ = Handoffs.PrepareAsync(UserId, _opId);

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static string NewOpId() => $"ui-{Guid.NewGuid():N}";
}
