using Huddle.Contracts.Chat;

namespace Huddle.Web.Chat;

/// <summary>
/// The panel's receipts and cursors: it reports what reached it (delivered) and what its
/// <see cref="ChatReadTracker"/> saw on screen (read), shows "New messages" above the first message by
/// someone else after the read cursor as it was when the thread opened, and under each of one's own
/// messages its receipts, live (<see cref="LiveReceipts"/>).
/// </summary>
public sealed partial class ChatPanel
{
    private LiveReceipts? _receipts;
    private long _dividerAt = -1;
    private long _delivered;
    private long _read;

    private async Task OpenCursorsAsync()
    {
        if (_live is null || _live.Error is not null || _disposed)
        {
            return;
        }

        // Where the clinician had read to before this screen showed anything: the divider stays there.
        var held = _live.Messages.Count > 0 ? _live.Messages[^1].Seq : 0;
        var cursors = await Chat.ReportAsync(UserId, ThreadId, held, 0);
        if (cursors.Value is { } now)
        {
            (_delivered, _read) = (now.Delivered, now.Read);
            _dividerAt = _live.Messages.FirstOrDefault(m => m.Seq > now.Read && m.SenderId != UserId && m.Kind == ThreadEntryKind.Message)?.Seq ?? -1;
        }

        _receipts = await LiveReceipts.OpenAsync(Chat, UserId, ThreadId, InvokeAsync, () =>
        {
            StateHasChanged();
            return Task.CompletedTask;
        });
        if (_disposed)
        {
            await CloseCursorsAsync();
        }
    }

    /// <summary>What reached this screen: the newest seq held (a report only when it moved).</summary>
    private async Task ReportDeliveredAsync()
    {
        if (_live is not { Messages.Count: > 0 } live || live.Messages[^1].Seq <= _delivered || _disposed)
        {
            return;
        }

        _delivered = live.Messages[^1].Seq;
        await Chat.ReportAsync(UserId, ThreadId, _delivered, 0);
    }

    /// <summary>Messages up to <paramref name="seq"/> were shown on screen (the tracker says so).</summary>
    private async Task ReportReadAsync(long seq)
    {
        if (seq <= _read || _disposed)
        {
            return;
        }

        var reported = await Chat.ReportAsync(UserId, ThreadId, seq, seq);
        if (reported.Value is { } now)
        {
            (_delivered, _read) = (Math.Max(_delivered, now.Delivered), Math.Max(_read, now.Read));
        }
    }

    private async Task CloseCursorsAsync()
    {
        if (Interlocked.Exchange(ref _receipts, null) is { } receipts)
        {
            await receipts.DisposeAsync();
        }
    }
}
