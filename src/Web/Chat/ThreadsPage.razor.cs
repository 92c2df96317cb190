using Huddle.Contracts.Common;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Chat;
using Huddle.Contracts.Patients;
using Huddle.Contracts.Users;
using Huddle.Web.Auth;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Huddle.Web.Chat;

/// <summary>
/// A clinician's chats: their teams' threads, the patient threads of their teams' patients they have
/// messages in, and their direct threads, each with its unread count, live on every device (the
/// circuit's one copy of <c>unread:{userId}</c>). A room display has none.
/// </summary>
public sealed partial class ThreadsPage : IDisposable
{
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);
    private List<ThreadRef>? _threads;
    private LiveUnread? _live;
    private IDisposable? _listening;
    private string? _error;
    private List<TeamMember>? _teammates;

    /// <summary>The clinician's own teams' profiles, read once when the page opens: they name team threads, decide which patients are named, and list the teammates.</summary>
    private Dictionary<string, CareTeamProfile> _myTeams = new(StringComparer.Ordinal);
    private string? _directWith;
    private string? _directError;
    private bool _starting;

    [CascadingParameter]
    private Task<AuthenticationState> AuthState { get; set; } = default!;

    [Inject]
    private ChatService Chat { get; set; } = default!;

    [Inject]
    private CircuitUnread Circuit { get; set; } = default!;

    [Inject]
    private IGrainFactory Grains { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender)
        {
            return;
        }

        var userId = (await AuthState).User.UserIdOf();
        _listening = Circuit.Listen(async () =>
        {
            if (Merge())
            {
                await LoadNamesAsync();
            }

            StateHasChanged();
        });
        _live = await Circuit.OpenAsync(userId, InvokeAsync);
        var listed = await Chat.ListAsync(userId);
        if (listed.Error is { } error)
        {
            _error = error.Message;
        }
        else
        {
            _threads = [.. listed.Value];
            Merge();
            await LoadMyTeamsAsync(userId);
            await LoadNamesAsync();
            // A room display writes to nobody.
            if (!(await AuthState).User.IsRoomDisplay())
            {
                _teammates = [.. _myTeams.Values.SelectMany(p => p.Members).Where(m => m.UserId != userId)
                    .DistinctBy(m => m.UserId).OrderBy(m => m.DisplayName, StringComparer.CurrentCulture)];
            }
        }

        StateHasChanged();
    }

    /// <summary>Threads the counts know and the list does not (a patient thread someone else wrote in) join the list.</summary>
    private bool Merge()
    {
        if (_threads is null || _live is null)
        {
            return false;
        }

        var added = _live.Threads.Where(t => _threads.All(l => l.ThreadId != t.Thread.ThreadId)).Select(t => t.Thread).ToList();
        _threads.AddRange(added);
        return added.Count > 0;
    }

    private async Task LoadMyTeamsAsync(string userId)
    {
        var me = await Grains.Grain<IUserGrain>(userId).GetAsync();
        var profiles = await Task.WhenAll((me?.TeamIds ?? []).Select(t => Grains.Grain<ICareTeamGrain>(t).GetProfileAsync()));
        _myTeams = profiles.OfType<CareTeamProfile>().ToDictionary(p => p.TeamId, StringComparer.Ordinal);
    }

    private async Task StartDirectAsync()
    {
        if (_directWith is not { } other)
        {
            return;
        }

        _starting = true;
        var started = await Chat.StartDirectAsync((await AuthState).User.UserIdOf(), other);
        _starting = false;
        _directError = started.Error?.Message;
        if (started.Value is { } thread)
        {
            Navigation.NavigateTo($"/threads/{thread.ThreadId}");
        }
    }

    private async Task LoadNamesAsync()
    {
        foreach (var thread in _threads!.Where(t => !_names.ContainsKey(t.ThreadId)).ToList())
        {
            _names[thread.ThreadId] = thread.Kind switch
            {
                ThreadKind.Team => (_myTeams.GetValueOrDefault(thread.SubjectId) ?? await Grains.Grain<ICareTeamGrain>(thread.SubjectId).GetProfileAsync())?.Name ?? "A team",
                ThreadKind.Direct => (await Grains.Grain<IUserGrain>(thread.SubjectId).GetAsync())?.DisplayName ?? "A colleague",
                _ => PatientNaming.InitialsFor(await Grains.Grain<IPatientGrain>(thread.SubjectId).GetAsync(), _myTeams.ContainsKey) is { } initials ? $"Patient {initials}" : "A patient",
            };
        }
    }

    private string NameOf(ThreadRef thread) => _names.GetValueOrDefault(thread.ThreadId) ?? "…";

    private static string KindOf(ThreadRef thread) => thread.Kind switch
    {
        ThreadKind.Team => "Team chat",
        ThreadKind.Patient => "Patient chat",
        _ => "Direct message",
    };

    private string LabelOf(ThreadRef thread, long unread) =>
        unread > 0 ? $"{NameOf(thread)}, {KindOf(thread)}, {unread} unread" : $"{NameOf(thread)}, {KindOf(thread)}";

    public void Dispose() => _listening?.Dispose();
}
