using Huddle.Web.Auth;
using Huddle.Web.Live;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Huddle.Web.Handoffs;

/// <summary>A page that shows the signed-in clinician's live inbox: opens it on arrival, closes it on leave.</summary>
public abstract class LiveInboxPage : ComponentBase, IAsyncDisposable
{
    private bool _disposed;

    [CascadingParameter]
    private Task<AuthenticationState> AuthState { get; set; } = default!;

    [Inject]
    protected HandoffService Handoffs { get; private set; } = default!;

    protected LiveInbox? Live { get; private set; }

    protected string UserId { get; private set; } = "";

    /// <summary>True once the page is being left: what an await opened after that must be closed at once.</summary>
    protected bool Disposed => _disposed;

    protected override async Task OnInitializedAsync()
    {
        UserId = (await AuthState).User.UserIdOf();
        Live = await LiveInbox.OpenAsync(Handoffs, UserId, InvokeAsync, OnInboxChangedAsync).KeptUnlessLeftAsync(() => _disposed);
    }

    /// <summary>The inbox changed (on the renderer); re-renders by default.</summary>
    protected virtual Task OnInboxChangedAsync()
    {
        StateHasChanged();
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        if (Live is not null)
        {
            await Live.DisposeAsync();
        }

        await DisposeCoreAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Closes what the page itself opened (another live copy); nothing by default.</summary>
    protected virtual ValueTask DisposeCoreAsync() => ValueTask.CompletedTask;
}
