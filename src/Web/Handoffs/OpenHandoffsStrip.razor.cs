using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Handoffs;
using Huddle.Web.Auth;
using Huddle.Web.Live;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Huddle.Web.Handoffs;

/// <summary>
/// A team's open handoffs, live from <c>handoffs:{teamId}</c> through the relay (a summary carries no
/// patient data, so the wall view shows the same): its merge (an item no longer open leaves the list)
/// on the one generic <see cref="LiveFeed{TSnapshot, TChange}"/>.
/// </summary>
public sealed partial class OpenHandoffsStrip : ILiveCopy<TeamHandoffsSnapshot, TeamHandoffsChange>, IAsyncDisposable
{
    private readonly Dictionary<string, HandoffSummary> _items = new(StringComparer.Ordinal);
    private EtaTicker? _ticker;
    private LiveFeed<TeamHandoffsSnapshot, TeamHandoffsChange>? _feed;
    private CareTeamProfile? _team;
    private string _userId = "";
    private bool _disposed;

    /// <summary>The last seq merged in (shown for tests as <c>data-seq</c>).</summary>
    private long Seq => _feed?.Seq ?? -1;

    [Parameter, EditorRequired]
    public string TeamId { get; set; } = "";

    /// <summary>The team's profile when the page already has it (the board does): then the strip does not read it again.</summary>
    [Parameter]
    public CareTeamProfile? Team { get; set; }

    /// <summary>Only this patient's handoffs (the EHR widget); null for all of the team's.</summary>
    [Parameter]
    public string? PatientId { get; set; }

    /// <summary>
    /// The name of a patient the page already shows (the board's cards and panel), for a clinician's strip:
    /// "Alma Reyes · Exam 3". Never given on the wall (privacy mode); a patient the page does not know is the room alone.
    /// </summary>
    [Parameter]
    public Func<string, string?>? PatientName { get; set; }

    /// <summary>
    /// Told the patients with an open handoff whenever that set changes (the board marks their cards, so a
    /// second request for the same patient is not made unknowingly). Ids only, as the summaries carry.
    /// </summary>
    [Parameter]
    public EventCallback<IReadOnlySet<string>> OnOpenPatients { get; set; }

    private HashSet<string> _toldPatients = new(StringComparer.Ordinal);

    private async Task TellOpenPatientsAsync()
    {
        if (!OnOpenPatients.HasDelegate)
        {
            return;
        }

        var open = _items.Values.Select(i => i.PatientId).OfType<string>().ToHashSet(StringComparer.Ordinal);
        if (!open.SetEquals(_toldPatients))
        {
            _toldPatients = open;
            await OnOpenPatients.InvokeAsync(open);
        }
    }

    /// <summary>The room display's large, link-free form.</summary>
    [Parameter]
    public bool WallView { get; set; }

    /// <summary>Whether each handoff links to its page: not for a room display (which may not open one) on the board's own page.</summary>
    [Parameter]
    public bool Links { get; set; } = true;

    [CascadingParameter]
    private Task<AuthenticationState> AuthState { get; set; } = default!;

    [Inject]
    private HandoffService Handoffs { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        _userId = (await AuthState).User.UserIdOf();
        _team = Team ?? (await Handoffs.TeamAsync(_userId, TeamId)).Value;
        _feed = await LiveFeed<TeamHandoffsSnapshot, TeamHandoffsChange>.OpenAsync(Handoffs.TeamHandoffsOf(_userId, TeamId), this, InvokeAsync, async () =>
        {
            StateHasChanged();
            await TellOpenPatientsAsync();
        }).KeptUnlessLeftAsync(() => _disposed);
        await TellOpenPatientsAsync();
    }

    protected override void OnAfterRender(bool firstRender)
    {
        // An accepted handoff's countdown ("arriving in 2 min") stays true on the board and the wall.
        _ticker ??= new EtaTicker(Time, () => InvokeAsync(StateHasChanged));
        // The wall also counts how long each named handoff has waited ("waiting 4 min").
        _ticker.Keep(_items.Values.Any(i => EtaTicker.Counts(i) || (WallView && i.Status == HandoffStatus.Requested)));
    }

    /// <summary>
    /// How many handoffs the wall names one by one: up to three; when there are more, two and "+N more",
    /// which is what fits one line of 1920 px in the wall's 24 px type beside the counts by priority.
    /// </summary>
    private int WallShown => _items.Count <= 3 ? 3 : 2;

    /// <summary>The open handoffs, most urgent first and, within a priority, the longest waiting first.</summary>
    private IEnumerable<HandoffSummary> WallItems => _items.Values.OrderByDescending(i => i.Priority).ThenBy(i => i.RequestedAt).ThenBy(i => i.HandoffId, StringComparer.Ordinal);

    /// <summary>How many open handoffs of each priority there are, the most urgent first (priorities with none left out).</summary>
    private IEnumerable<(HandoffPriority Priority, int Count)> CountsByPriority =>
        _items.Values.GroupBy(i => i.Priority).OrderByDescending(g => g.Key).Select(g => (g.Key, g.Count()));

    private string TimeOf(HandoffSummary item) =>
        HandoffWords.TeamTime(item.RequestedAt, _team?.TimeZoneId).ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Where a handoff stands in the wall's few words: "waiting 4 min", "Bea Holt, arriving in 3 min",
    /// "Bea Holt in the room". Names are the clinicians' (the wall shows who is free anyway), never the patient's.
    /// </summary>
    private string WallLine(HandoffSummary item) => item.Status switch
    {
        HandoffStatus.Requested when item.BusinessStatus is null or "pinged" => $"waiting {Waited(item)}",
        HandoffStatus.Requested => $"escalated, waiting {Waited(item)}",
        HandoffStatus.Accepted when item.Eta is { } eta => $"{NameOf(item.AcceptedBy)}, {HandoffWords.Countdown(eta, Time.GetUtcNow())}",
        HandoffStatus.InProgress => $"{NameOf(item.AcceptedBy)} in the room",
        _ => HandoffWords.Status(item, _userId, NameOf, Time.GetUtcNow()),
    };

    /// <summary>How long <paramref name="item"/> has waited, in whole minutes: "&lt;1 min", "4 min".</summary>
    private string Waited(HandoffSummary item)
    {
        var minutes = (long)Math.Floor((Time.GetUtcNow() - item.RequestedAt).TotalMinutes);
        return minutes < 1 ? "<1 min" : $"{minutes} min";
    }

    private string NameOf(string? userId) =>
        userId is null ? "" : userId == _userId ? "you" : _team?.Members.FirstOrDefault(m => m.UserId == userId)?.DisplayName ?? "a colleague";

    long ILiveCopy<TeamHandoffsSnapshot, TeamHandoffsChange>.SeqOf(TeamHandoffsChange change) => change.Seq;

    bool ILiveCopy<TeamHandoffsSnapshot, TeamHandoffsChange>.IsReset(TeamHandoffsChange change) => change.Reset;

    void ILiveCopy<TeamHandoffsSnapshot, TeamHandoffsChange>.Take(TeamHandoffsSnapshot snapshot)
    {
        _items.Clear();
        foreach (var item in snapshot.Items.Where(Shown))
        {
            _items[item.HandoffId] = item;
        }
    }

    bool ILiveCopy<TeamHandoffsSnapshot, TeamHandoffsChange>.Merge(TeamHandoffsChange change)
    {
        if (change.Item is not { } item || !Shown(item))
        {
            return false;
        }

        if (!item.IsOpen)
        {
            _items.Remove(item.HandoffId);
        }
        else if (!_items.TryGetValue(item.HandoffId, out var held) || held.Version < item.Version)
        {
            _items[item.HandoffId] = item;
        }

        return true;
    }

    /// <summary>True for the handoffs this strip shows: all of the team's, or the one patient's.</summary>
    private bool Shown(HandoffSummary item) => PatientId is null || item.PatientId == PatientId;

    void ILiveCopy<TeamHandoffsSnapshot, TeamHandoffsChange>.Forget() => _items.Clear();

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        _ticker?.Dispose();
        if (_feed is not null)
        {
            await _feed.DisposeAsync();
        }
    }
}
