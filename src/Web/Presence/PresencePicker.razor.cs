using Huddle.Contracts.Presence;
using Huddle.Web.Auth;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;

namespace Huddle.Web.Presence;

/// <summary>Lets the signed-in clinician say whether handoffs may reach them: available, busy, in session, do not disturb.</summary>
public sealed partial class PresencePicker
{
    private static readonly (PresenceStatus Status, string Label)[] Choices =
    [
        (PresenceStatus.Available, "Available"),
        (PresenceStatus.Busy, "Busy"),
        (PresenceStatus.InSession, "With a patient"),
        (PresenceStatus.DoNotDisturb, "Do not disturb"),
    ];

    private PresenceStatus? _status;
    private string _userId = "";

    [CascadingParameter]
    private Task<AuthenticationState> AuthState { get; set; } = default!;

    [Inject]
    private PresenceService Presence { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        _userId = (await AuthState).User.UserIdOf();
        var view = await Presence.GetAsync(_userId, _userId);
        _status = view.Value is { } v ? v.Chosen ?? PresenceStatus.Available : null;
    }

    private async Task SetAsync(PresenceStatus status)
    {
        var reply = await Presence.SetAsync(_userId, status);
        if (reply.Error is { } error)
        {
            Snackbar.Add(error.Message, Severity.Warning);
            return;
        }

        _status = reply.Value!.Chosen ?? PresenceStatus.Available;
    }
}
