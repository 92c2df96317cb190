using Huddle.Contracts.Chat;
using Huddle.Contracts.Common;
using Huddle.Web.Handoffs;
using Huddle.Web.Live;
using Microsoft.AspNetCore.Components;

namespace Huddle.Web.Chat;

/// <summary>
/// One chat thread on a page (the patient page shows the patient's): its newest messages live, earlier
/// ones on request, and a box to write in. Text is shown as text; only http and https addresses become
/// links, opened apart (<c>rel="noopener noreferrer"</c>). An unsent message keeps its client message id
/// until the server has it, so pressing Send again after a failure cannot send it twice.
/// </summary>
public sealed partial class ChatPanel : IAsyncDisposable
{
    private LiveThread? _live;
    private ChatMentionPicker? _mentions;
    private bool _ackRequested;
    private string? _draft;
    private MudBlazor.MudTextField<string>? _input;
    private bool _urgent;
    private bool _sending;
    private bool _loadingEarlier;
    private string? _sendError;
    private string _clientMessageId = NewClientMessageId();
    private bool _disposed;

    /// <summary>The thread shown.</summary>
    [Parameter, EditorRequired]
    public string ThreadId { get; set; } = "";

    /// <summary>Who reads and writes (the signed-in clinician).</summary>
    [Parameter, EditorRequired]
    public string UserId { get; set; } = "";

    /// <summary>The panel's heading.</summary>
    [Parameter]
    public string Title { get; set; } = "Chat";

    /// <summary>Display names by user id; a sender not in it shows by id.</summary>
    [Parameter]
    public IReadOnlyDictionary<string, string>? Names { get; set; }

    /// <summary>The teams whose clinicians and roles the writer may mention: the thread's team, or the patient's care teams (the one shown first).</summary>
    [Parameter]
    public IReadOnlyList<Huddle.Contracts.CareTeams.CareTeamProfile>? Teams { get; set; }

    /// <summary>The clock times are shown on (the team's), or null for UTC.</summary>
    [Parameter]
    public string? TimeZoneId { get; set; }

    [Inject]
    private ChatService Chat { get; set; } = default!;

    private string HeadingId => $"chat-heading-{ThreadId}";

    protected override async Task OnInitializedAsync()
    {
        _live = await LiveThread.OpenAsync(Chat, UserId, ThreadId, InvokeAsync, () =>
        {
            StateHasChanged();
            return ReportDeliveredAsync();
        }).KeptUnlessLeftAsync(() => _disposed);
        await OpenCursorsAsync();
    }

    private string NameOf(string userId) => userId == UserId ? "You" : Names?.GetValueOrDefault(userId) ?? userId;

    private string TimeOf(DateTimeOffset at) =>
        HandoffWords.TeamTime(at, TimeZoneId).ToString("ddd d MMM HH:mm", System.Globalization.CultureInfo.InvariantCulture);

    private async Task SendAsync()
    {
        // Send stays enabled while the text is typed (the text reaches the server on change, just before
        // this click), so an empty message is answered here, not by a disabled button.
        if (_sending || _live is null)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(_draft))
        {
            _sendError = "Write a message first.";
            return;
        }

        _sending = true;
        _sendError = null;
        try
        {
            var message = new SendMessage(_clientMessageId, _draft!, _urgent ? MessagePriority.Urgent : MessagePriority.Normal, _ackRequested);
            var sent = await Chat.SendAsync(UserId, ThreadId, _mentions?.Apply(message) ?? message);
            if (sent.Error is { } error)
            {
                _sendError = error.Code == ErrorCodes.Unavailable ? "Not sent: Huddle could not be reached. Press Send again." : error.Message;
                return;
            }

            (_draft, _urgent, _ackRequested, _clientMessageId) = (null, false, false, NewClientMessageId());
            // The box itself too: bound on change, its last render may still hold the value before the
            // typing (no render came between), and then setting the bound value to null changes nothing
            // to diff, leaving the sent text in the box (seen under load, ChatPhoneTests).
            if (_input is not null)
            {
                await _input.ClearAsync();
            }

            _mentions?.Clear();
            await _live.CatchUpAsync();
        }
        finally
        {
            _sending = false;
        }
    }

    /// <summary>
    /// Acknowledges <paramref name="message"/>: its client id is the message's own, so a second press or another
    /// device of the same clinician is answered with the first acknowledgement, never stored twice.
    /// </summary>
    private async Task<string?> AcknowledgeAsync(ThreadMessage message)
    {
        var acked = await Chat.AcknowledgeAsync(UserId, ThreadId, message.Seq, $"ack-{message.Seq}");
        if (acked.Error is { } error)
        {
            return error.Code == ErrorCodes.Unavailable ? "Not acknowledged: Huddle could not be reached. Press Acknowledge again." : error.Message;
        }

        if (_live is not null)
        {
            await _live.CatchUpAsync();
        }

        return null;
    }

    private async Task LoadEarlierAsync()
    {
        _loadingEarlier = true;
        try
        {
            if (await _live!.LoadEarlierAsync() is { } error)
            {
                _sendError = error.Message;
            }
        }
        finally
        {
            _loadingEarlier = false;
        }
    }

    // Time-ordered (UUIDv7), so each new id sorts after this clinician's earlier ones and the thread skips a lookup (ThreadGrain.IdMarks.cs).
    private static string NewClientMessageId() => $"ui-{Guid.CreateVersion7():N}";

    /// <summary>An edit or delete of the reader's was stored: shown at once, as their own send is.</summary>
    private Task OnStoredAsync() => _live?.CatchUpAsync() ?? Task.CompletedTask;

    /// <summary>What the panel says where the deployment's retention removed the thread's start.</summary>
    public static string RemovedNotice(TimeSpan? retention) => retention is { } kept
        ? kept.TotalDays >= 1 && kept.Ticks % TimeSpan.TicksPerDay == 0
            ? $"Earlier messages were removed after {kept.TotalDays:0} {(kept.TotalDays == 1 ? "day" : "days")}."
            : $"Earlier messages were removed after {kept}."
        : "Earlier messages were removed.";

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        if (_live is not null)
        {
            await _live.DisposeAsync();
        }

        await CloseCursorsAsync();
    }
}
