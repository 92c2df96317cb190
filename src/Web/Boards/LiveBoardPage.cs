using Huddle.Web.Auth;
using Huddle.Web.Live;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Huddle.Web.Boards;

/// <summary>A page that shows one team's live board: opens it for the signed-in user, closes it on leave.</summary>
public abstract class LiveBoardPage : ComponentBase, IAsyncDisposable
{
    private bool _disposed;

    [Parameter]
    public string TeamId { get; set; } = "";

    [CascadingParameter]
    private Task<AuthenticationState> AuthState { get; set; } = default!;

    [Inject]
    private BoardService Boards { get; set; } = default!;

    protected LiveBoard? Live { get; private set; }

    /// <summary>True for the team-room wall view: the privacy-filtered board.</summary>
    protected virtual bool WallView => false;

    protected override async Task OnParametersSetAsync()
    {
        if (Live?.TeamId == TeamId)
        {
            return;
        }

        if (Live is not null)
        {
            await Live.DisposeAsync();
        }

        var user = (await AuthState).User;
        Live = await LiveBoard.OpenAsync(Boards, TeamId, user.UserIdOf(), WallView, InvokeAsync, StateHasChanged).KeptUnlessLeftAsync(() => _disposed);
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        if (Live is not null)
        {
            await Live.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}
