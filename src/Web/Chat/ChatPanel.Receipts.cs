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

    /// <summary>The thread's feed epoch <see cref="_delivered"/> and <see cref="_read"/> count in.</summary>
    private long _cursorEpoch;

    private async Task OpenCursorsAsync()
    {
        if (_live is null || _live.Error is not null || _disposed)
        {
            return;
        }

        // Where the clinician had read to before this screen showed anything: the divider stays there.
        var held = _live.Messages.Count > 0 ? _live.Messages[^1].Seq : 0;
        _cursorEpoch = _live.Epoch;
        var cursors = await Chat.ReportAsync(UserId, ThreadId, held, 0, _cursorEpoch);
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
        NumberedAsLive();
        if (_live is not { Messages.Count: > 0 } live || live.Messages[^1].Seq <= _delivered || _disposed)
        {
            return;
        }

        _delivered = live.Messages[^1].Seq;
        await Chat.ReportAsync(UserId, ThreadId, _delivered, 0, _cursorEpoch);
    }

    /// <summary>
    /// The thread numbers in a new epoch (its stored state was lost, and it counts from 1 again): the cursors
    /// held count in the old one, where every new seq would look already reported.
    /// </summary>
    private void NumberedAsLive()
    {
        if (_live is { } live && live.Epoch != _cursorEpoch)
        {
            (_delivered, _read, _cursorEpoch) = (0, 0, live.Epoch);
        }
    }

    /// <summary>Messages up to <paramref name="seq"/> were shown on screen (the tracker says so).</summary>
    private async Task ReportReadAsync(long seq)
    {
        NumberedAsLive();
        if (seq <= _read || _disposed)
        {
            return;
        }

        var reported = await Chat.ReportAsync(UserId, ThreadId, seq, seq, _cursorEpoch);
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
