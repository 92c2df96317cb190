using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Presence;
using Huddle.Web.Auth;
using Huddle.Web.Live;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;

namespace Huddle.Web.Presence;

/// <summary>
/// A team's presence roster, live from <c>presence:{teamId}</c> through the relay, on the board and the
/// wall: who is available, busy, with a patient, on do-not-disturb or offline. A gap or a reset re-reads.
/// </summary>
public sealed partial class TeamPresenceStrip : IAsyncDisposable
{
    private readonly Dictionary<string, PresenceView> _members = new(StringComparer.Ordinal);
    private RendererFeed<TeamPresenceChange>? _feed;
    private IAsyncDisposable? _watch;
    private string _userId = "";
    private long _seq = -1;
    private bool _disposed;

    /// <summary>The team (its roster gives the names and the order).</summary>
    [Parameter, EditorRequired]
    public CareTeamProfile? Team { get; set; }

    /// <summary>The room display's large form.</summary>
    [Parameter]
    public bool WallView { get; set; }

    [CascadingParameter]
    private Task<AuthenticationState> AuthState { get; set; } = default!;

    [Inject]
    private TeamPresenceService Presence { get; set; } = default!;


    protected override async Task OnInitializedAsync()
    {
        if (Team is null)
        {
            return;
        }

        _userId = (await AuthState).User.UserIdOf();
        _feed = new RendererFeed<TeamPresenceChange>(InvokeAsync, ApplyAsync, CatchUpOnceAsync, () =>
        {
            StateHasChanged();
            return Task.CompletedTask;
        });
        var (open, watch) = await Presence.WatchAsync(_userId, Team.TeamId, _feed.Enqueue);
        if (_disposed)
        {
            if (watch is not null)
            {
                await watch.DisposeAsync();
            }

            return;
        }

        _watch = watch;
        Take(open.Value);
    }

    private async Task<bool> ApplyAsync(TeamPresenceChange change)
    {
        if (change.Seq <= _seq && !change.Reset)
        {
            return false;
        }

        if (change.Reset || change.Seq > _seq + 1 || change.Member is null)
        {
            await _feed!.CatchUpAsync();
            return true;
        }

        _seq = change.Seq;
        _members[change.Member.UserId] = change.Member;
        return true;
    }

    private async Task CatchUpOnceAsync()
    {
        // The roster is small: a fresh read is the simplest correct catch-up.
        Take((await Presence.ReadAsync(_userId, Team!.TeamId, null)).Value);
    }

    private void Take(TeamPresenceReply? reply)
    {
        if (reply?.Presence is not { } roster)
        {
            return;
        }

        _members.Clear();
        foreach (var member in roster.Members)
        {
            _members[member.UserId] = member;
        }

        _seq = reply.Seq;
    }

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
        if (_watch is not null)
        {
            await _watch.DisposeAsync();
        }
    }
}
