using Huddle.Web.Auth;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Huddle.Web.Chat;

/// <summary>
/// "Chats" in the app bar with the clinician's total unread count, read from the circuit's one live copy
/// (<see cref="CircuitUnread"/>): a read on another device clears it here as the next numbered change.
/// </summary>
public sealed partial class UnreadBadge : IDisposable
{
    private LiveUnread? _live;
    private IDisposable? _listening;

    [CascadingParameter]
    private Task<AuthenticationState> AuthState { get; set; } = default!;

    [Inject]
    private CircuitUnread Circuit { get; set; } = default!;

    private long Total => _live?.Total ?? 0;

    private string Label => Total > 0 ? $"Chats, {Total} unread" : "Chats";

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        // Interactive only: the prerendered page watches nothing.
        if (!firstRender)
        {
            return;
        }

        var user = (await AuthState).User;
        _listening = Circuit.Listen(() =>
        {
            StateHasChanged();
            return Task.CompletedTask;
        });
        _live = await Circuit.OpenAsync(user.UserIdOf(), InvokeAsync);
        StateHasChanged();
    }

    public void Dispose() => _listening?.Dispose();
}
