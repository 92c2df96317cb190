using System.Collections.Immutable;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Web.Auth;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Huddle.Web.Admin;

/// <summary>Administrators' list of care teams, and a new team.</summary>
public sealed partial class TeamsAdminPage
{
    private ImmutableArray<TeamListing> _teams = [];
    private string? _newId;
    private string? _newName;
    private string? _newZone = "America/Chicago";
    private HuddleError? _error;

    [Inject]
    private TeamAdminService Teams { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthState { get; set; } = default!;

    protected override async Task OnInitializedAsync() => _teams = await Teams.TeamsAsync();

    private async Task CreateAsync()
    {
        var id = _newId?.Trim() ?? "";
        if (!Ids.IsValid(id))
        {
            _error = HuddleError.InvalidId("A team id");
            return;
        }

        if ((await Teams.TeamAsync(id)).Ok)
        {
            _error = HuddleError.State($"Team '{id}' exists already: open it to change it.");
            return;
        }

        var created = await Teams.AdministerAsync((await AuthState).User.UserIdOf(), id,
            new TeamAdminCommand(TeamAdminOp.Settings, Name: _newName ?? "", TimeZoneId: string.IsNullOrWhiteSpace(_newZone) ? null : _newZone));
        _error = created.Error;
        if (created.Ok)
        {
            Navigation.NavigateTo($"/admin/teams/{id}");
        }
    }
}
