using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Users;
using Huddle.Web.Auth;
using Huddle.Web.Layout;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Huddle.Web.Admin;

/// <summary>
/// One team for administrators: its settings, its clinicians and their roles, its room screens. Each
/// change goes to the team's grain (which checks the administrator and stores it); the page then shows
/// the profile the grain answered, so what is shown is what is stored.
/// </summary>
public sealed partial class TeamAdminPage
{
    private CareTeamProfile? _profile;
    private string? _name;
    private string? _zone;
    private CareTeamStatus _status;
    private string? _memberId;
    private string? _memberName;
    /// <summary>The role the new member is given; none until chosen (a default made every addition a PCP unnoticed).</summary>
    private CareTeamRole? _memberRole;
    private string? _displayId;
    private string? _displayName;
    private HuddleError? _error;
    private string? _done;

    [Parameter]
    public string TeamId { get; set; } = "";

    [Inject]
    private TeamAdminService Teams { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthState { get; set; } = default!;

    protected override async Task OnParametersSetAsync()
    {
        var read = await Teams.TeamAsync(TeamId);
        _error = read.Error;
        Show(read.Value);
    }

    private void Show(CareTeamProfile? profile)
    {
        _profile = profile;
        if (profile is not null)
        {
            (_name, _zone, _status) = (profile.Name, profile.TimeZoneId, profile.Status);
        }
    }

    private Task SaveSettingsAsync() =>
        ApplyAsync(new TeamAdminCommand(TeamAdminOp.Settings, Name: _name ?? "", TimeZoneId: _zone ?? "", Status: _status), "Settings saved.");

    private Task SetRoleAsync(TeamMember member, CareTeamRole role) =>
        ApplyAsync(new TeamAdminCommand(TeamAdminOp.SetMember, member.UserId, role), $"{member.DisplayName} is now {Layout.RoleLabels.Of(role)}.");

    /// <summary>The member whose removal waits for its confirmation, if any.</summary>
    private string? _confirmRemove;

    private Task RemoveMemberAsync(TeamMember member)
    {
        _confirmRemove = null;
        return ApplyAsync(new TeamAdminCommand(TeamAdminOp.RemoveMember, member.UserId), $"{member.DisplayName} is off the team.");
    }

    private Task RemoveDisplayAsync(string displayId) =>
        ApplyAsync(new TeamAdminCommand(TeamAdminOp.RemoveDisplay, displayId), $"Room screen {displayId} removed.");

    /// <summary>The clinician picked by name, if any (else the user id typed is added).</summary>
    private ClinicianListing? _memberFound;

    /// <summary>The deployment's clinicians, read when the administrator first searches.</summary>
    private System.Collections.Immutable.ImmutableArray<ClinicianListing>? _clinicians;

    private async Task<IEnumerable<ClinicianListing>> FindCliniciansAsync(string? text, CancellationToken cancellationToken)
    {
        _clinicians ??= await Teams.CliniciansAsync();
        // A search overtaken by the next keystroke answers nothing (the list would be the older text's).
        cancellationToken.ThrowIfCancellationRequested();
        var typed = text?.Trim() ?? "";
        var members = _profile?.Members.Select(m => m.UserId).ToHashSet(StringComparer.Ordinal) ?? [];
        return _clinicians.Value.Where(c => !members.Contains(c.UserId)
            && (typed.Length == 0 || c.DisplayName.Contains(typed, StringComparison.CurrentCultureIgnoreCase) || c.UserId.Contains(typed, StringComparison.OrdinalIgnoreCase)));
    }

    private ElementReference _outcome;
    private bool _showOutcome;

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (_resetRole && _roleSelect is not null)
        {
            _resetRole = false;
            await _roleSelect.ResetValidationAsync();
        }

        if (_showOutcome)
        {
            _showOutcome = false;
            await _outcome.FocusUnlessGoneAsync();
        }
    }

    private async Task AddMemberAsync()
    {
        _showOutcome = true;
        if (_memberRole is not { } role)
        {
            (_error, _done) = (HuddleError.Invalid("Choose the clinician's role on this team."), null);
            return;
        }

        var found = _memberFound;
        var id = found?.UserId ?? _memberId?.Trim() ?? "";
        if ((found is not null || await SaveUserAsync(id, _memberName, UserKind.Clinician))
            && await ApplyAsync(new TeamAdminCommand(TeamAdminOp.SetMember, id, role), ""))
        {
            // Said by name (the roster just returned has it, also for one added by id), the id only when it has none.
            var name = _profile?.Members.FirstOrDefault(m => m.UserId == id)?.DisplayName ?? found?.DisplayName ?? id;
            _done = $"{name} added to the team as {Layout.RoleLabels.Of(role)}.";
            (_memberId, _memberName, _memberFound, _memberRole) = (null, null, null, null);
            // Emptied for the next one, not marked "Required" as if the administrator had left it out: reset once
            // the emptied value has rendered (the select validates the value it is given).
            _resetRole = true;
        }
    }

    private MudBlazor.MudSelect<CareTeamRole?>? _roleSelect;
    private bool _resetRole;

    private async Task AddDisplayAsync()
    {
        var id = _displayId?.Trim() ?? "";
        if (await SaveUserAsync(id, _displayName, UserKind.RoomDisplay) && await ApplyAsync(new TeamAdminCommand(TeamAdminOp.AddDisplay, id), "Room screen added."))
        {
            (_displayId, _displayName) = (null, null);
        }
    }

    /// <summary>Creates or renames the user when a name was given; true when there is nothing to do or it was done.</summary>
    private async Task<bool> SaveUserAsync(string userId, string? name, UserKind kind)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return true;
        }

        var saved = await Teams.SaveUserAsync((await AuthState).User.UserIdOf(), userId, new UserAdminCommand(name, kind));
        (_error, _done) = (saved.Error, null);
        return saved.Ok;
    }

    private async Task<bool> ApplyAsync(TeamAdminCommand command, string done)
    {
        var applied = await Teams.AdministerAsync((await AuthState).User.UserIdOf(), TeamId, command);
        (_error, _done) = (applied.Error, applied.Ok ? done : null);
        if (applied.Value is { } profile)
        {
            Show(profile);
        }

        return applied.Ok;
    }
}
