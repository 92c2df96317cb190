using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Presence;
using Huddle.Web.Auth;
using Huddle.Web.Live;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;

namespace Huddle.Web.Presence;

/// <summary>
/// A team's presence roster, live from <c>presence:{teamId}</c> through the relay, on the board, the
/// wall and the patient page: who is available, busy, with a patient, on do-not-disturb or offline.
/// It shows the <see cref="Live"/> roster its page already watches (the patient page, whose target
/// picker reads the same one), or else opens its own.
/// </summary>
public sealed partial class TeamPresenceStrip : IAsyncDisposable
{
    private LiveTeamPresence? _own;
    private bool _disposed;

    /// <summary>The team (its roster gives the names and the order).</summary>
    [Parameter, EditorRequired]
    public CareTeamProfile? Team { get; set; }

    /// <summary>
    /// The team's live roster when the page already watches it (and re-renders this strip on each
    /// change); without it the strip opens and closes its own.
    /// </summary>
    [Parameter]
    public LiveTeamPresence? Live { get; set; }

    /// <summary>The room display's large form.</summary>
    [Parameter]
    public bool WallView { get; set; }

    [CascadingParameter]
    private Task<AuthenticationState> AuthState { get; set; } = default!;

    [Inject]
    private TeamPresenceService Presence { get; set; } = default!;

    private LiveTeamPresence? Roster => Live ?? _own;

    protected override async Task OnInitializedAsync()
    {
        if (Team is null || Live is not null)
        {
            return;
        }

        var userId = (await AuthState).User.UserIdOf();
        _own = await LiveTeamPresence.OpenAsync(Presence, userId, Team.TeamId, InvokeAsync, () =>
        {
            StateHasChanged();
            return Task.CompletedTask;
        }).KeptUnlessLeftAsync(() => _disposed);
    }

    /// <summary>
    /// The members to show by name, and how many are offline and not named. On the wall the strip is
    /// read from across the room and must leave the board room however large the team: the free are
    /// shown first (then busy or in session, then do-not-disturb, each in the team's order) and the offline
    /// — nobody to walk to — are one count. Elsewhere every member is named in the team's order, where a
    /// clinician looks for someone by name (and the patient page's picker lists the same).
    /// </summary>
    private (IEnumerable<TeamMember> Shown, int Offline) Arrange(LiveTeamPresence roster)
    {
        if (!WallView)
        {
            return (Team!.Members, 0);
        }

        var online = Team!.Members.Where(m => roster.StatusOf(m.UserId) != PresenceStatus.Offline).ToList();
        return (online.OrderBy(m => Rank(roster.StatusOf(m.UserId))), Team.Members.Length - online.Count);
    }

    private static int Rank(PresenceStatus status) => status switch
    {
        PresenceStatus.Available => 0,
        PresenceStatus.Busy or PresenceStatus.InSession => 1,
        _ => 2,
    };

    private static Color ColorOf(PresenceStatus status) => status switch
    {
        PresenceStatus.Available => Color.Success,
        PresenceStatus.Busy or PresenceStatus.InSession => Color.Warning,
        PresenceStatus.DoNotDisturb => Color.Error,
        _ => Color.Default,
    };

    private static string IconOf(PresenceStatus status) => status switch
    {
        PresenceStatus.Available => Icons.Material.Filled.CheckCircle,
        PresenceStatus.Busy or PresenceStatus.InSession => Icons.Material.Filled.Schedule,
        PresenceStatus.DoNotDisturb => Icons.Material.Filled.DoNotDisturbOn,
        _ => Icons.Material.Outlined.Circle,
    };

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        if (_own is not null)
        {
            await _own.DisposeAsync();
        }
    }
}
