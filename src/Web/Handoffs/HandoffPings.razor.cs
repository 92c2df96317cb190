using Huddle.Contracts.Handoffs;
using Huddle.Web.Auth;
using Huddle.Web.Live;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.JSInterop;
using MudBlazor;

namespace Huddle.Web.Handoffs;

/// <summary>
/// Listens for the signed-in clinician's handoff pings on whatever page they are: a toast with an
/// "Open" action (which screen readers announce, once), a short tone, and a browser notification where
/// the user allowed it (asked from a button, never on load). No text carries a patient or a reason: the
/// toast says priority, room, who asked and when ("Urgent warm handoff · Exam 3 · from Dr. Lena Chen at
/// 11:08"), the notification the event's notice ("Urgent warm handoff — Exam 3 — open Huddle").
/// Host it in the layout; a page may host one too: only one per circuit listens.
/// </summary>
public sealed partial class HandoffPings : IAsyncDisposable
{
    private readonly HashSet<string> _toasts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Huddle.Contracts.CareTeams.CareTeamProfile?> _teams = new(StringComparer.Ordinal);
    private CircuitInbox.Lease? _lease;
    private IJSObjectReference? _js;
    private bool _listening;
    private bool _disposed;
    private string? _permission;
    private int _shown;
    private int _chatShown;
    private string _userId = "";

    [CascadingParameter]
    private Task<AuthenticationState> AuthState { get; set; } = default!;

    [Inject]
    private CircuitInbox Inbox { get; set; } = default!;

    [Inject]
    private HandoffService Handoffs { get; set; } = default!;

    [Inject]
    private HandoffCircuit Circuit { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private IJSRuntime JS { get; set; } = default!;

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        // Only once interactive (never while prerendering), and only for a signed-in clinician.
        if (firstRender && (await AuthState).User is { Identity.IsAuthenticated: true } user)
        {
            _userId = user.UserIdOf();
            if (Circuit.Join(this))
            {
                await StartAsync();
            }
        }
    }

    /// <summary>Starts listening: this is now the circuit's one listener.</summary>
    private async Task StartAsync()
    {
        _listening = true;
        await Circuit.StartPresenceAsync(_userId);
        // The circuit's one inbox, shared with the page that shows it.
        if (await Inbox.OpenAsync(_userId, InvokeAsync, OnInboxChanged, OnPing).KeptUnlessLeftAsync(() => _disposed) is not { } lease)
        {
            return;
        }

        _lease = lease;
        try
        {
            _js = await JS.InvokeAsync<IJSObjectReference>("import", "./Handoffs/HandoffPings.razor.js");
            _permission = await _js.InvokeAsync<string>("permission");
        }
        catch (JSDisconnectedException)
        {
            // The browser left: the circuit is ending.
        }

        StateHasChanged();
    }

    private void OnPing(InboxChange change) => _ = InvokeAsync(() => ShowPingAsync(change));

    private async Task ShowPingAsync(InboxChange change)
    {
        if (change.Chat is { } chat)
        {
            ShowChat(chat);
            return;
        }

        var notice = change.Notice ?? HandoffNotices.For(change.Item!, ping: true);
        // The toast names who asked and when (the team's roster, read once per team), so several pings
        // read apart; the browser notification (a lock screen) keeps the notice: no names at all.
        if (!_teams.TryGetValue(change.Item!.TeamId, out var team))
        {
            team = (await Handoffs.TeamAsync(_userId, change.Item.TeamId)).Value;
            _teams[change.Item.TeamId] = team;
        }

        var requester = team?.Members.FirstOrDefault(m => m.UserId == change.Item.RequesterId)?.DisplayName ?? "a colleague";
        var toast = HandoffWords.Toast(change.Item, requester, HandoffWords.TeamTime(change.Item.RequestedAt, team?.TimeZoneId));
        if (_lease?.Live.Find(change.Item.HandoffId) is { Status: not HandoffStatus.Requested })
        {
            // Answered while the roster was read: no toast for it.
            return;
        }
        var url = Navigation.ToAbsoluteUri($"/handoffs/{change.Item!.HandoffId}").ToString();
        // The toast is the one screen-reader announcement of a ping. MudBlazor 9 renders every toast as
        // role="alert" (aria-live="polite"), and a toast's markup cannot be changed; an element with
        // role="alert" inserted with its text is announced on insertion by the major screen readers
        // (NVDA, JAWS, VoiceOver, TalkBack): it raises the platform's alert event, which a plain live
        // region inserted together with its content does not reliably do. A second, hidden aria-live region with the same notice made
        // readers say every ping twice, so there is none: one alert, spoken once, and it is the same
        // element a screen-reader user then finds with its "Open" action.
        // Normal (dark) toasts keep white text at AA contrast; the icon says it is a call to act.
        Snackbar.Add(toast, Severity.Normal, o =>
        {
            o.Icon = Icons.Material.Filled.NotificationsActive;
            o.CloseAfterNavigation = true;
            o.Action = "Open";
            o.ActionColor = Color.Primary;
            o.RequireInteraction = change.Item.Priority is HandoffPriority.Stat or HandoffPriority.Asap;
            o.VisibleStateDuration = 20_000;
            o.OnClick = _ =>
            {
                Navigation.NavigateTo($"/handoffs/{change.Item.HandoffId}");
                return Task.CompletedTask;
            };
        }, key: KeyOf(change.Item.HandoffId));
        _toasts.Add(change.Item.HandoffId);

        _shown++;
        StateHasChanged();
        _ = AlertAsync(notice, url, change.Item.HandoffId);
    }

    /// <summary>
    /// A chat notification (a mention, an urgent message, a message to the user's role, an acknowledgement
    /// request or its reminder): a toast that reads as chat, not as a handoff ("Chat · You were mentioned —
    /// patient thread"), with the chat icon and an "Open" that goes to the thread, where the message loads with
    /// the user's own access. The text is the notification's own: no patient, no sender, no message text.
    /// </summary>
    private void ShowChat(Contracts.Chat.ChatNotice chat)
    {
        var url = $"/chat/open/{Uri.EscapeDataString(chat.ThreadId)}";
        var text = chat.Text.EndsWith(" — open Huddle", StringComparison.Ordinal) ? chat.Text[..^" — open Huddle".Length] : chat.Text;
        Snackbar.Add($"Chat · {text}", Severity.Normal, o =>
        {
            o.Icon = Icons.Material.Filled.Chat;
            o.CloseAfterNavigation = true;
            o.Action = "Open";
            o.ActionColor = Color.Primary;
            o.VisibleStateDuration = 20_000;
            o.OnClick = _ =>
            {
                Navigation.NavigateTo(url);
                return Task.CompletedTask;
            };
        }, key: $"chat-{chat.Key}");
        _chatShown++;
        StateHasChanged();
        _ = AlertAsync(chat.Text, Navigation.ToAbsoluteUri(url).ToString(), $"chat-{chat.Key}");
    }

    /// <summary>A ping answered (by anyone), cancelled or escalated away takes its toast with it.</summary>
    private Task OnInboxChanged()
    {
        foreach (var handoffId in _toasts.Where(id => _lease?.Live.Find(id) is not { Status: HandoffStatus.Requested }).ToList())
        {
            Snackbar.RemoveByKey(KeyOf(handoffId));
            _toasts.Remove(handoffId);
        }

        StateHasChanged();
        return Task.CompletedTask;
    }

    private static string KeyOf(string handoffId) => $"ping-{handoffId}";

    private async Task AlertAsync(string notice, string url, string handoffId)
    {
        try
        {
            if (_js is not null)
            {
                await _js.InvokeVoidAsync("ping", notice, url, handoffId);
            }
        }
        catch (JSException)
        {
            // No sound or notification in this browser: the toast (and its announcement) still shows.
        }
        catch (JSDisconnectedException)
        {
            // The browser left.
        }
    }

    private async Task AskPermissionAsync()
    {
        if (_js is not null)
        {
            _permission = await _js.InvokeAsync<string>("requestPermission");
        }
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        if (_lease is not null)
        {
            await _lease.DisposeAsync();
        }

        if (_js is not null)
        {
            try
            {
                await _js.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
                // The browser already left.
            }
        }

        if (_listening && Circuit.Leave(this) is { } next)
        {
            // The page that listened is being left while the layout's listener stays: hand over.
            await next.InvokeAsync(next.StartAsync);
        }
        else if (!_listening)
        {
            Circuit.Leave(this);
        }
    }
}
