using Huddle.Web.Auth;
using Huddle.Web.Live;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Huddle.Web.Handoffs;

/// <summary>
/// A page that shows the signed-in clinician's live inbox: the circuit's one inbox (<see cref="CircuitInbox"/>,
/// which the layout's ping listener reads too), held from arrival until the page is left.
/// </summary>
public abstract class LiveInboxPage : ComponentBase, IAsyncDisposable
{
    private CircuitInbox.Lease? _lease;
    private bool _disposed;

    [CascadingParameter]
    private Task<AuthenticationState> AuthState { get; set; } = default!;

    [Inject]
    protected HandoffService Handoffs { get; private set; } = default!;

    [Inject]
    private CircuitInbox Inbox { get; set; } = default!;

    protected LiveInbox? Live => _lease?.Live;

    protected string UserId { get; private set; } = "";

    /// <summary>True for a team-room display (it reads the wall only).</summary>
    protected bool IsRoomDisplay { get; private set; }

    /// <summary>True once the page is being left: what an await opened after that must be closed at once.</summary>
    protected bool Disposed => _disposed;

    /// <summary>
    /// False while the page is prerendered: it then reads nothing of the inbox, the handoff or the
    /// patient, watches nothing, and shows its loading state. The interactive page that replaces it a moment later reads everything anyway, so reading
    /// in the prerender too doubled each view's grain calls and audit records, opened the inbox's feed
    /// only to close it, and made the page flash its data, then its loading state, then its data again.
    /// </summary>
    protected bool Reads => RendererInfo.IsInteractive;

    protected override async Task OnInitializedAsync()
    {
        var user = (await AuthState).User;
        (UserId, IsRoomDisplay) = (user.UserIdOf(), user.IsRoomDisplay());
        if (!Reads)
        {
            return;
        }

        _lease = await Inbox.OpenAsync(UserId, InvokeAsync, OnInboxChangedAsync).KeptUnlessLeftAsync(() => _disposed);
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
        if (_lease is not null)
        {
            await _lease.DisposeAsync();
        }

        await DisposeCoreAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Closes what the page itself opened (another live copy); nothing by default.</summary>
    protected virtual ValueTask DisposeCoreAsync() => ValueTask.CompletedTask;
}
