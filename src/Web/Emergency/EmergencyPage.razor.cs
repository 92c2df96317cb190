using System.Globalization;
using Huddle.Contracts.Common;
using Huddle.Contracts.Patients;
using Huddle.Web.Auth;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Options;

namespace Huddle.Web.Emergency;

/// <summary>
/// "Break the glass": a clinician off the patient's care teams states why, and reads the patient's
/// handoffs and thread (and may write in it) until the grant ends, under a banner that says so.
/// </summary>
public sealed partial class EmergencyPage
{
    private bool _loading = true;
    private bool _busy;
    private string _userId = "";
    private string? _reason;
    private EmergencyGrant? _grant;
    private EmergencyView? _view;
    private HuddleError? _error;
    private Dictionary<string, string> _names = [];

    [Parameter]
    public string PatientId { get; set; } = "";

    [Inject]
    private EmergencyAccessService Emergency { get; set; } = default!;

    [Inject]
    private IOptions<EmergencyPageOptions> Options { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthState { get; set; } = default!;

    private string Duration => Options.Value.Duration is { TotalMinutes: >= 60 and var minutes } && minutes % 60 == 0
        ? $"{minutes / 60:0} hour{(minutes == 60 ? "" : "s")}"
        : $"{Options.Value.Duration.TotalMinutes:0} minutes";

    protected override async Task OnInitializedAsync()
    {
        _userId = (await AuthState).User.UserIdOf();
        _grant = await Emergency.ActiveAsync(_userId, PatientId);
        if (_grant is not null)
        {
            await LoadAsync();
        }

        _loading = false;
    }

    private async Task BreakGlassAsync()
    {
        _busy = true;
        try
        {
            var granted = await Emergency.GrantAsync(_userId, PatientId, _reason);
            (_grant, _error) = (granted.Value, granted.Error);
            if (_grant is not null)
            {
                await LoadAsync();
            }
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task LoadAsync()
    {
        var view = await Emergency.ViewAsync(_userId, PatientId);
        (_view, _error) = (view.Value, view.Error);
        _names = _view?.Teams.SelectMany(t => t.Members).DistinctBy(m => m.UserId).ToDictionary(m => m.UserId, m => m.DisplayName, StringComparer.Ordinal) ?? [];
    }

    /// <summary>
    /// The clock the page's times are on: the patient's team's, as on their own page and in the chat below
    /// (the time zone a team sets); UTC until the record has loaded.
    /// </summary>
    private string? Zone => _view?.Teams.FirstOrDefault()?.TimeZoneId;

    private string Clock(DateTimeOffset at) => Huddle.Web.Handoffs.HandoffWords.TeamTime(at, Zone).ToString("HH:mm", CultureInfo.InvariantCulture);
}
