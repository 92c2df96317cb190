using System.Collections.Immutable;
using Huddle.Contracts.Chat;
using Huddle.Contracts.Common;
using Microsoft.AspNetCore.Components;

namespace Huddle.Web.Chat;

/// <summary>
/// One message's body in a chat panel, with its history (docs/api.md, "Edits, deletes and retention"):
/// the text (as text, http/https links only), "edited" with its earlier versions on request, or the
/// trace of a delete ("Message deleted by X at T"); and, on the reader's own message, Edit and Delete.
/// An edit keeps its client message id until the server has it, so Save pressed again stores it once.
/// </summary>
public sealed partial class ChatMessageBody
{
    private bool _editing;
    private bool _confirmDelete;
    private bool _busy;
    private string? _draft;
    private string? _error;
    private string _clientMessageId = NewClientMessageId();
    private ImmutableArray<MessageVersion>? _versions;

    /// <summary>The message as held (folded: its newest text, or its delete).</summary>
    [Parameter, EditorRequired]
    public ThreadMessage Message { get; set; } = default!;

    /// <summary>Who reads (the signed-in clinician): their own messages can be edited and deleted.</summary>
    [Parameter, EditorRequired]
    public string UserId { get; set; } = "";

    /// <summary>A user's display name.</summary>
    [Parameter, EditorRequired]
    public Func<string, string> Name { get; set; } = id => id;

    /// <summary>A time as the panel shows times.</summary>
    [Parameter, EditorRequired]
    public Func<DateTimeOffset, string> Time { get; set; } = at => at.ToString("u", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Runs once an edit or delete is stored: the panel catches up, so it shows at once.</summary>
    [Parameter]
    public EventCallback Stored { get; set; }

    [Inject]
    private ChatService Chat { get; set; } = default!;

    private bool Mine => Message.SenderId == UserId && Message.Kind == ThreadEntryKind.Message;

    protected override void OnParametersSet()
    {
        if (Message.DeletedBy is not null)
        {
            (_editing, _confirmDelete, _versions) = (false, false, null);
        }
    }

    private void StartEdit() => (_editing, _draft, _error) = (true, Message.Text, null);

    private void Cancel() => (_editing, _draft, _clientMessageId) = (false, null, NewClientMessageId());

    private async Task SaveAsync()
    {
        if (_busy)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(_draft))
        {
            _error = "A message cannot be empty: delete it instead.";
            return;
        }

        if (_draft == Message.Text)
        {
            Cancel();
            return;
        }

        _busy = true;
        try
        {
            var saved = await Chat.EditAsync(UserId, Message.ThreadId, new EditMessage(_clientMessageId, Message.Seq, _draft!));
            if (saved.Error is { } error)
            {
                _error = Words(error);
                return;
            }

            (_editing, _draft, _error, _versions, _clientMessageId) = (false, null, null, null, NewClientMessageId());
            await Stored.InvokeAsync();
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task DeleteAsync()
    {
        _busy = true;
        try
        {
            var deleted = await Chat.DeleteAsync(UserId, Message.ThreadId, new DeleteMessage(_clientMessageId, Message.Seq));
            if (deleted.Error is { } error)
            {
                _error = Words(error);
                return;
            }

            (_confirmDelete, _error, _clientMessageId) = (false, null, NewClientMessageId());
            await Stored.InvokeAsync();
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task ToggleVersionsAsync()
    {
        if (_versions is not null)
        {
            _versions = null;
            return;
        }

        var read = await Chat.ReadEditsAsync(UserId, Message.ThreadId, Message.Seq);
        if (read.Error is { } error)
        {
            _error = Words(error);
            return;
        }

        (_versions, _error) = (read.Value!.Versions, null);
    }

    private static string Words(HuddleError error) =>
        error.Code == ErrorCodes.Unavailable ? "Not saved: Huddle could not be reached. Try again." : error.Message;

    // Time-ordered (UUIDv7), so each new id sorts after this clinician's earlier ones and the thread skips a lookup (ThreadGrain.IdMarks.cs).
    private static string NewClientMessageId() => $"ui-{Guid.CreateVersion7():N}";
}
