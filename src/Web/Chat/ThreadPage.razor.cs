using Huddle.Contracts.Common;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Chat;
using Huddle.Contracts.Users;
using Huddle.Web.Auth;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Huddle.Web.Chat;

/// <summary>One thread of the clinician's chats, full page (a phone's way in from the thread list). The thread decides who may read it.</summary>
public sealed partial class ThreadPage
{
    private Dictionary<string, string> _names = [];
    private string? _userId;
    private string _title = "Chat";
    private string? _timeZone;

    [Parameter]
    public string ThreadId { get; set; } = "";

    [CascadingParameter]
    private Task<AuthenticationState> AuthState { get; set; } = default!;

    [Inject]
    private IGrainFactory Grains { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        var userId = (await AuthState).User.UserIdOf();
        // Names of the clinician's teammates: senders and receipts show them, never ids.
        if (await Grains.Grain<IUserGrain>(userId).GetAsync() is { } me)
        {
            var profiles = await Task.WhenAll(me.TeamIds.Select(t => Grains.Grain<ICareTeamGrain>(t).GetProfileAsync()));
            _names = profiles.OfType<CareTeamProfile>().SelectMany(p => p.Members).DistinctBy(m => m.UserId).ToDictionary(m => m.UserId, m => m.DisplayName);
            _timeZone = profiles.OfType<CareTeamProfile>().FirstOrDefault()?.TimeZoneId;
        }

        _title = ThreadIds.Parse(ThreadId)?.Kind switch
        {
            ThreadKind.Team => "Team chat",
            ThreadKind.Patient => "Patient chat",
            ThreadKind.Direct => "Direct messages",
            _ => "Chat",
        };
        _userId = userId;
    }
}
