using System.Collections.Immutable;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Handoffs;
using Huddle.Web.Live;

namespace Huddle.Web.Handoffs;

/// <summary>
/// A component's live copy of the signed-in clinician's handoff inbox (<c>inbox:{userId}</c>): the
/// inbox's merge (keep the newer version of each handoff) on the one generic
/// <see cref="LiveFeed{TSnapshot, TChange}"/>. A circuit holds one, shared by everything it shows
/// (<see cref="CircuitInbox"/>). Chat notifications ride the same feed (<see cref="InboxChange.Chat"/>) and
/// are announced through the same callback, once per notification. It knows the rosters of the teams its handoffs belong to, so screens
/// show names, never ids.
/// </summary>
public sealed class LiveInbox : ILiveCopy<InboxSnapshot, InboxChange>, IAsyncDisposable
{
    private readonly HandoffService _handoffs;
    private readonly Action<InboxChange>? _pinged;
    private readonly Dictionary<string, HandoffSummary> _items = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CareTeamProfile?> _teams = new(StringComparer.Ordinal);

    // Chat notifications already announced (their hint and numbered change carry one key): the newest few.
    private readonly HashSet<string> _noticed = new(StringComparer.Ordinal);
    private readonly Queue<string> _noticedOrder = new();
    private LiveFeed<InboxSnapshot, InboxChange>? _feed;

    private LiveInbox(HandoffService handoffs, string userId, Action<InboxChange>? pinged)
    {
        _handoffs = handoffs;
        UserId = userId;
        _pinged = pinged;
    }

    public string UserId { get; }

    /// <summary>The last inbox seq merged in.</summary>
    public long Seq => _feed?.Seq ?? -1;

    /// <summary>Why the inbox cannot be shown (unavailable), or null.</summary>
    public HuddleError? Error => _feed?.Error;

    /// <summary>Open handoffs first, then closed ones; newest first in each.</summary>
    public IReadOnlyList<HandoffSummary> Items =>
        [.. _items.Values.OrderByDescending(i => i.IsOpen).ThenByDescending(i => i.RequestedAt).ThenBy(i => i.HandoffId, StringComparer.Ordinal)];

    /// <summary>
    /// Opens <paramref name="userId"/>'s inbox. <paramref name="dispatch"/> runs work on the component's
    /// renderer (its InvokeAsync); <paramref name="changed"/> re-renders it; <paramref name="pinged"/>
    /// hears each change that asks the user to answer (a new ping), live or caught up.
    /// </summary>
    public static async Task<LiveInbox> OpenAsync(HandoffService handoffs, string userId,
        Func<Func<Task>, Task> dispatch, Func<Task> changed, Action<InboxChange>? pinged = null)
    {
        ArgumentNullException.ThrowIfNull(handoffs);
        ArgumentNullException.ThrowIfNull(changed);
        var live = new LiveInbox(handoffs, userId, pinged);
        live._feed = await LiveFeed<InboxSnapshot, InboxChange>.OpenAsync(handoffs.InboxOf(userId), live, dispatch, async () =>
        {
            await live.LoadTeamsAsync();
            await changed();
        });
        await live.LoadTeamsAsync();
        return live;
    }

    /// <summary>The handoff <paramref name="handoffId"/> as the inbox last heard of it, or null.</summary>
    public HandoffSummary? Find(string? handoffId) =>
        handoffId is not null && _items.TryGetValue(handoffId, out var item) ? item : null;

    /// <summary>True when the user was pinged for <paramref name="item"/>: it is in their inbox and they did not ask for it.</summary>
    public bool IsPingedFor(HandoffSummary item) => item is not null && item.RequesterId != UserId && _items.ContainsKey(item.HandoffId);

    /// <summary>
    /// True when the signed-in user declined <paramref name="item"/>: the summary carries its decliners,
    /// so this holds after a reload and on every device, not only on the screen that declined.
    /// </summary>
    public bool HasDeclined(HandoffSummary item) => item?.HasDeclined(UserId) == true;

    /// <summary>The team's name, or a neutral word while it is unknown.</summary>
    public string TeamName(string teamId) => TeamOf(teamId)?.Name ?? "your team";

    /// <summary>The roster of <paramref name="teamId"/>, when known.</summary>
    public CareTeamProfile? TeamOf(string teamId) => _teams.GetValueOrDefault(teamId);

    /// <summary>A person's name from the team's roster ("you" for the signed-in user); never a raw id.</summary>
    public string NameOf(string teamId, string? userId) =>
        userId is null ? "" : userId == UserId ? "you" : TeamOf(teamId)?.Members.FirstOrDefault(m => m.UserId == userId)?.DisplayName ?? "a colleague";

    /// <summary>
    /// <paramref name="at"/> on the clinic's wall clock: the team's time zone, UTC while it is unknown.
    /// </summary>
    public DateTimeOffset LocalTime(string teamId, DateTimeOffset at) =>
        TeamOf(teamId) is { } team && TimeZoneInfo.TryFindSystemTimeZoneById(team.TimeZoneId, out var zone) ? TimeZoneInfo.ConvertTime(at, zone) : at;

    /// <summary>Learns the roster of <paramref name="teamId"/> (a handoff opened from elsewhere than the inbox).</summary>
    public Task KnowTeamAsync(string teamId) => LoadTeamsAsync(teamId);

    /// <summary>
    /// Who and why of handoff <paramref name="handoffId"/>, for the signed-in user's own screens: the
    /// situation and who declined it with their reasons, read through the handoff's open, and with
    /// <paramref name="withPatient"/> the patient's name through the patient read, both with the user's own
    /// access (each logged by ids, never by name); null when either is refused.
    /// </summary>
    public async Task<HandoffGist?> GistAsync(string handoffId, bool withPatient = true)
    {
        if ((await _handoffs.OpenAsync(UserId, handoffId)).Value is not { } handoff)
        {
            return null;
        }

        var patient = withPatient ? (await _handoffs.PatientAsync(UserId, handoff.TeamId, handoff.PatientId)).Value : null;
        return HandoffGist.Of(handoff, patient?.DisplayName);
    }

    /// <summary>Requests a handoff; the reply's summary shows at once (the feed's copy follows).</summary>
    public async Task<Result<HandoffSummary>> RequestAsync(RequestHandoff request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var reply = await _handoffs.RequestAsync(UserId, request);
        await KeepAsync(reply.Value);
        return reply;
    }

    /// <summary>
    /// Applies <paramref name="command"/> to a handoff (with a fresh op id unless it has one, so a
    /// retry by the service is applied once); returns the error, or null when accepted.
    /// </summary>
    public async Task<HuddleError?> ExecuteAsync(string handoffId, HandoffCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var reply = await _handoffs.ExecuteAsync(UserId, handoffId, command.OpId is null ? command with { OpId = $"ui-{Guid.NewGuid():N}" } : command);
        await KeepAsync(reply.Value);
        return reply.Error;
    }

    public async ValueTask DisposeAsync()
    {
        if (_feed is not null)
        {
            await _feed.DisposeAsync();
        }
    }

    private async Task KeepAsync(HandoffSummary? summary)
    {
        if (summary is not null && Keep(summary))
        {
            await LoadTeamsAsync();
        }
    }

    /// <summary>Takes <paramref name="summary"/> unless what is held is as new; true when taken.</summary>
    private bool Keep(HandoffSummary summary)
    {
        if (_items.TryGetValue(summary.HandoffId, out var held) && held.Version >= summary.Version)
        {
            return false;
        }

        _items[summary.HandoffId] = summary;
        return true;
    }

    long ILiveCopy<InboxSnapshot, InboxChange>.SeqOf(InboxChange change) => change.Seq;

    bool ILiveCopy<InboxSnapshot, InboxChange>.IsReset(InboxChange change) => change.Reset;

    void ILiveCopy<InboxSnapshot, InboxChange>.Take(InboxSnapshot snapshot)
    {
        _items.Clear();
        foreach (var item in snapshot.Items)
        {
            _items[item.HandoffId] = item;
        }
    }

    bool ILiveCopy<InboxSnapshot, InboxChange>.Merge(InboxChange change)
    {
        if (change.Chat is not null)
        {
            // A chat notification: announced once (live or caught up), and nothing else held changes.
            Notice(change);
            return true;
        }

        if (change.Item is not { } item)
        {
            return false;
        }

        // Live or caught up: a ping missed while away still asks the user to answer; one whose hint
        // already brought this version has been announced.
        if (Keep(item) && change.Ping)
        {
            _pinged?.Invoke(change);
        }

        return true;
    }

    bool ILiveCopy<InboxSnapshot, InboxChange>.IsHint(InboxChange change) => change.Hint;

    bool ILiveCopy<InboxSnapshot, InboxChange>.MergeHint(InboxChange change)
    {
        if (change.Chat is not null)
        {
            Notice(change);
            return false;
        }

        if (change.Item is not { } item || !Keep(item))
        {
            return false;
        }

        if (change.Ping)
        {
            _pinged?.Invoke(change);
        }

        return true;
    }

    void ILiveCopy<InboxSnapshot, InboxChange>.Forget() => _items.Clear();

    /// <summary>Announces a chat notification (<see cref="InboxChange.Chat"/>) the first time its key is seen.</summary>
    private void Notice(InboxChange change)
    {
        if (!_noticed.Add(change.Chat!.Key))
        {
            return;
        }

        _noticedOrder.Enqueue(change.Chat.Key);
        if (_noticedOrder.Count > 200)
        {
            _noticed.Remove(_noticedOrder.Dequeue());
        }

        _pinged?.Invoke(change);
    }

    /// <summary>Reads the roster of every team an item belongs to that is not known yet.</summary>
    private async Task LoadTeamsAsync(string? also = null)
    {
        foreach (var teamId in _items.Values.Select(i => i.TeamId).Append(also).OfType<string>().Distinct(StringComparer.Ordinal).Where(t => !_teams.ContainsKey(t)).ToImmutableArray())
        {
            var team = await _handoffs.TeamAsync(UserId, teamId);
            if (team.Error?.Code != ErrorCodes.Unavailable)
            {
                _teams[teamId] = team.Value;
            }
        }
    }
}
