using Huddle.Web.Auth;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Huddle.Web.Chat;

/// <summary>
/// Opens a thread from a chat notification, which names only the thread: goes to the page that shows it. The
/// page there checks access and loads the messages, so the notification itself never carried any of them.
/// </summary>
public sealed partial class ChatOpen
{
    private bool _nowhere;

    /// <summary>The thread to open.</summary>
    [Parameter]
    public string ThreadId { get; set; } = "";

    [CascadingParameter]
    private Task<AuthenticationState> AuthState { get; set; } = default!;

    [Inject]
    private ChatService Chat { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    protected override async Task OnParametersSetAsync()
    {
        var user = (await AuthState).User;
        if (await Chat.PageOfAsync(user.UserIdOf(), ThreadId) is { } page)
        {
            Navigation.NavigateTo(page, replace: true);
            return;
        }

        _nowhere = true;
    }
}
