using Huddle.Contracts.Common;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Chat;
using Huddle.Contracts.Patients;
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
    private List<CareTeamProfile> _teams = [];

    [Parameter]
    public string ThreadId { get; set; } = "";

    [CascadingParameter]
    private Task<AuthenticationState> AuthState { get; set; } = default!;

    [Inject]
    private IGrainFactory Grains { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        var userId = (await AuthState).User.UserIdOf();
        var myTeams = (await Grains.Grain<IUserGrain>(userId).GetAsync())?.TeamIds ?? [];
        var parsed = ThreadIds.Parse(ThreadId);
        var (kind, subjectId) = (parsed?.Kind, parsed?.SubjectId);
        // The thread's own teams first (its team, or the patient's teams the clinician is on): their members
        // and roles are who a message can mention, and the first one's time zone dates the messages. The
        // thread itself decides who may read it; a page of a thread they may not read shows its refusal.
        var patient = kind == ThreadKind.Patient ? await Grains.Grain<IPatientGrain>(subjectId!).GetAsync() : null;
        IReadOnlyList<string> threadTeams = kind switch
        {
            ThreadKind.Team => myTeams.Contains(subjectId!) ? [subjectId!] : [],
            ThreadKind.Patient => patient is not null
                ? [.. patient.TeamIds.Where(myTeams.Contains)]
                : (IReadOnlyList<string>)[],
            _ => [],
        };
        var profiles = (await Task.WhenAll(threadTeams.Concat(myTeams.Except(threadTeams)).Select(t => Grains.Grain<ICareTeamGrain>(t).GetProfileAsync())))
            .OfType<CareTeamProfile>().ToList();
        // Names of the clinician's teammates and the thread's members: senders and receipts show them, never ids.
        _names = profiles.SelectMany(p => p.Members).DistinctBy(m => m.UserId).ToDictionary(m => m.UserId, m => m.DisplayName);
        _teams = [.. profiles.Where(p => threadTeams.Contains(p.TeamId))];
        _timeZone = profiles.FirstOrDefault()?.TimeZoneId;
        // Named as the thread list names it (PatientNaming).
        _title = kind switch
        {
            ThreadKind.Team => $"Team chat · {_teams.FirstOrDefault()?.Name ?? "a team"}",
            ThreadKind.Patient => PatientNaming.InitialsFor(patient, myTeams.Contains) is { } initials
                ? $"Chat about patient {initials}"
                : "Patient chat",
            ThreadKind.Direct when (await Grains.Grain<IThreadGrain>(ThreadId).DescribeAsync(userId)).Value?.SubjectId is { } other =>
                $"Direct messages with {(await Grains.Grain<IUserGrain>(other).GetAsync())?.DisplayName ?? "a colleague"}",
            _ => "Chat",
        };
        _userId = userId;
    }
}
