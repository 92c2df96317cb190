using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace Huddle.Storage.Tests.Jepsen;

/// <summary>
/// One device of a clinician, written from docs/api.md ("Chat", "Sync: the server's seq is the truth")
/// and nothing else: plain JSON over the hub and HTTP, no Huddle types. It keeps a live copy of one
/// thread by the documented rules (cursor and epoch; an event at cursor + 1 appends, an older one is
/// dropped, a gap or a reset catches up; every (re)connect resumes from the cursor, paging on while
/// <c>more</c>), and an outbox of unsent messages it sends again with the same client message id until a
/// reply with a seq arrives. Its script sends messages while injecting the faults a phone meets:
/// dropped connections, a reply lost after the server answered, a send cut off in flight, time away
/// while others write, and deliberate resends (from the same device, another device of the same
/// clinician, or over HTTP). What the server answers that the contract rules out is kept in
/// <see cref="Problems"/>.
/// </summary>
internal sealed class ChatDevice : IAsyncDisposable
{
    private const string ThreadChanged = "ThreadChanged";
    private const string UnreadChanged = "UnreadChanged";
    private const int MaxConnectAttempts = 100;
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    private readonly ChatHost _host;
    private readonly string _threadId;
    private readonly ChatLedger _ledger;
    private readonly Random _random;
    private readonly HttpClient _http;
    private readonly object _gate = new();
    private readonly List<LoggedMessage> _copy = [];
    private readonly Channel<(string Event, JsonElement Body)> _events = Channel.CreateUnbounded<(string, JsonElement)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _syncing = new(1, 1);
    private readonly ConcurrentQueue<string> _problems = new();
    private readonly Queue<Outgoing> _outbox = new();
    private readonly HashSet<string> _attempted = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private long _cursor;
    private long _epoch;
    private bool _opened;
    private UnreadView _unread = new(0, 0, 0, 0);
    private bool _unreadOpened;
    private long _readShown;
    private HubConnection? _hub;
    private string? _token;
    private Task? _pump;

    public ChatDevice(string name, string userId, ChatHost host, string threadId, ChatLedger ledger, int seed)
    {
        (Name, UserId, _host, _threadId, _ledger, _random) = (name, userId, host, threadId, ledger, new Random(seed));
        _http = new HttpClient { BaseAddress = host.BaseAddress, Timeout = CallTimeout };
    }

    public string Name { get; }

    public string UserId { get; }

    /// <summary>What the server did that docs/api.md rules out, as this device saw it.</summary>
    public IReadOnlyCollection<string> Problems => _problems;

    public long Cursor
    {
        get
        {
            lock (_gate)
            {
                return _cursor;
            }
        }
    }

    /// <summary>The device's copy of the thread, oldest first.</summary>
    public IReadOnlyList<LoggedMessage> Copy()
    {
        lock (_gate)
        {
            return [.. _copy];
        }
    }

    /// <summary>Connects and opens the thread (<c>SubscribeThread</c>), and starts applying <c>ThreadChanged</c>.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        _pump = Task.Run(PumpAsync, CancellationToken.None);
        await ConnectAsync(ct);
    }

    /// <summary>
    /// Sends <paramref name="messages"/> messages one after another (each waits for its reply, as a
    /// composer does), with a fault drawn at random before each and, now and then, a resend of a message
    /// already acknowledged.
    /// </summary>
    public async Task RunAsync(int messages, CancellationToken ct)
    {
        for (var k = 0; k < messages; k++)
        {
            var message = new Outgoing(Name, UserId, $"{Name}-{k}", $"{Name} #{k}: can you see her after 3? <b>BP</b> 150/95",
                k % 5 == 4 ? "urgent" : "normal", ChatLedger.Now);
            _ledger.Try(message);
            _outbox.Enqueue(message);
            var roll = _random.NextDouble();
            if (roll < 0.06)
            {
                await DropAsync("disconnect");
            }
            else if (roll < 0.12)
            {
                await LoseReplyAsync(message, ct);
            }
            else if (roll < 0.16)
            {
                await LoseInFlightAsync(message, ct);
            }
            else if (roll < 0.19)
            {
                await GoAwayAsync(ct);
            }

            await DrainAsync(ct);
            if (_random.NextDouble() < 0.15)
            {
                await ResendAcknowledgedAsync(ct);
            }

            // Now and then the clinician looks: the device shows some of what it holds.
            var held = Cursor;
            if (held > _readShown && _random.NextDouble() < 0.3)
            {
                await ReportReadAsync(_random.NextInt64(_readShown + 1, held + 1), ct);
            }
        }
    }

    /// <summary>The device's unread count for the thread, as its <c>unread:{userId}</c> feed last said.</summary>
    public UnreadView Unread
    {
        get
        {
            lock (_gate)
            {
                return _unread;
            }
        }
    }

    /// <summary>
    /// Shows the thread up to <paramref name="seq"/> on screen: <c>ReportRead</c>, sent again after a
    /// dropped connection until it is answered (a report is idempotent: the cursor only moves forward).
    /// </summary>
    public async Task ReportReadAsync(long seq, CancellationToken ct)
    {
        _readShown = Math.Max(_readShown, seq);
        while (true)
        {
            var hub = await HubAsync(ct);
            JsonElement reply;
            try
            {
                reply = Ok(await hub.InvokeAsync<JsonElement>("ReportRead", _threadId, seq, ct), "ReportRead");
            }
            catch (Exception ex) when (Transient(ex, ct))
            {
                _ledger.Fault("read report cut off");
                await DropAsync(null);
                continue;
            }

            var read = reply.GetProperty("read").GetInt64();
            if (read < seq)
            {
                _problems.Enqueue($"{Name}: ReportRead(#{seq}) answered read #{read}");
            }

            _ledger.Read(new ReadReport(Name, UserId, seq, read, ChatLedger.Now));
            return;
        }
    }

    /// <summary>Waits (bounded) until the unread feed shows <paramref name="unread"/>; the view it ends with.</summary>
    public async Task<UnreadView> SettleUnreadAsync(long unread, TimeSpan wait, CancellationToken ct)
    {
        var until = DateTime.UtcNow + wait;
        while (Unread.Unread != unread && DateTime.UtcNow < until)
        {
            await Task.Delay(25, ct);
        }

        return Unread;
    }

    /// <summary>Catches up until the copy reaches <paramref name="seq"/> (the end of the run's log).</summary>
    public async Task SyncToAsync(long seq, CancellationToken ct)
    {
        for (var attempt = 0; Cursor < seq; attempt++)
        {
            if (attempt == 20)
            {
                throw new TimeoutException($"{Name} did not catch up to #{seq} (at #{Cursor}).");
            }

            var hub = await HubAsync(ct);
            await _syncing.WaitAsync(ct);
            try
            {
                await ResumeAsync(hub, "the final sync", ct);
            }
            catch (Exception ex) when (Transient(ex, ct))
            {
                await DropAsync(null);
            }
            finally
            {
                _syncing.Release();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _events.Writer.TryComplete();
        if (_pump is not null)
        {
            await _pump;
        }

        if (_hub is not null)
        {
            await _hub.DisposeAsync();
        }

        _http.Dispose();
        _syncing.Dispose();
        _stop.Dispose();
    }

    /// <summary>Sends the outbox, oldest first, each until a reply with a seq arrives (rule 5).</summary>
    private async Task DrainAsync(CancellationToken ct)
    {
        while (_outbox.TryPeek(out var message))
        {
            var hub = await HubAsync(ct);
            var kind = _attempted.Add(message.ClientMessageId) ? ReplyKind.First : ReplyKind.Retried;
            SendReply? reply;
            try
            {
                reply = await SendOnAsync(hub, message, kind, ct);
            }
            catch (Exception ex) when (Transient(ex, ct))
            {
                // No reply: the message may or may not be stored. It stays in the outbox and goes again, same id.
                _ledger.Fault("send cut off");
                await DropAsync(null);
                continue;
            }

            if (reply is null)
            {
                continue;
            }

            _ledger.Reply(message, reply);
            _outbox.Dequeue();
        }
    }

    /// <summary>The server answers, the device never sees it (the connection drops first): a reply lost after the write.</summary>
    private async Task LoseReplyAsync(Outgoing message, CancellationToken ct)
    {
        var hub = await HubAsync(ct);
        _attempted.Add(message.ClientMessageId);
        try
        {
            if (await SendOnAsync(hub, message, ReplyKind.Discarded, ct) is { } reply)
            {
                _ledger.Reply(message, reply);
                _ledger.Fault("reply lost after the write");
            }
        }
        catch (Exception ex) when (Transient(ex, ct))
        {
            _ledger.Fault("send cut off");
        }

        await DropAsync(null);
    }

    /// <summary>The connection drops right after the send leaves: it may or may not have been stored.</summary>
    private async Task LoseInFlightAsync(Outgoing message, CancellationToken ct)
    {
        var hub = await HubAsync(ct);
        _attempted.Add(message.ClientMessageId);
        var call = SendOnAsync(hub, message, ReplyKind.Discarded, ct);
        await DropAsync("send cut off in flight");
        try
        {
            // Had the reply already arrived, it was never read: the same as lost.
            if (await call is { } reply)
            {
                _ledger.Reply(message, reply);
            }
        }
        catch (Exception ex) when (Transient(ex, ct))
        {
            // Cut off, as intended.
        }
    }

    /// <summary>Offline while the others send (up to 8 of their messages, or a few seconds); back, it resumes from its cursor.</summary>
    private async Task GoAwayAsync(CancellationToken ct)
    {
        await DropAsync("away");
        var (before, until) = (_ledger.Acknowledged, DateTime.UtcNow.AddSeconds(5));
        while (_ledger.Acknowledged < before + 8 && DateTime.UtcNow < until)
        {
            await Task.Delay(25, ct);
        }
    }

    /// <summary>Sends an acknowledged message of this clinician again (same id, same text): it must get its first reply.</summary>
    private async Task ResendAcknowledgedAsync(CancellationToken ct)
    {
        if (_ledger.AcknowledgedOf(UserId, _random) is not { } earlier)
        {
            return;
        }

        var overHttp = _random.Next(2) == 0;
        SendReply? reply;
        try
        {
            reply = overHttp ? await SendOverHttpAsync(earlier, ct) : await SendOnAsync(await HubAsync(ct), earlier, ReplyKind.Resend, ct);
        }
        catch (Exception ex) when (Transient(ex, ct))
        {
            // Lost: nothing learnt, nothing to check.
            return;
        }

        if (reply is not null)
        {
            _ledger.Reply(earlier, reply);
            _ledger.Fault(earlier.Device == Name ? "resend" : "resend from another device of the sender");
            if (overHttp)
            {
                _ledger.Fault("resend over HTTP");
            }
        }
    }

    private async Task<SendReply?> SendOnAsync(HubConnection hub, Outgoing message, ReplyKind kind, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(CallTimeout);
        var reply = await hub.InvokeAsync<JsonElement>("SendMessage", _threadId,
            new { clientMessageId = message.ClientMessageId, text = message.Text, priority = message.Priority }, timeout.Token);
        return ReplyOf(reply, message, kind);
    }

    private async Task<SendReply?> SendOverHttpAsync(Outgoing message, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"api/threads/{_threadId}/messages", UriKind.Relative))
        {
            Content = JsonContent.Create(new { clientMessageId = message.ClientMessageId, text = message.Text, priority = message.Priority }),
        };
        request.Headers.Authorization = new("Bearer", _token ??= await _host.TokenAsync(UserId, ct));
        using var response = await _http.SendAsync(request, ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        if (!response.IsSuccessStatusCode)
        {
            return (string?)body.GetProperty("code").GetString() == "unavailable"
                ? null
                : throw new ContractBrokenException($"{Name}: the HTTP resend of {message.ClientMessageId} was refused: {body}");
        }

        return ReplyOf(body, message, ReplyKind.Resend);
    }

    /// <summary>A send's reply: its seq and time, null for <c>unavailable</c> (send again), a broken contract for any other refusal.</summary>
    private SendReply? ReplyOf(JsonElement reply, Outgoing message, ReplyKind kind)
    {
        if (reply.GetProperty("ok").GetBoolean())
        {
            if (reply.GetProperty("clientMessageId").GetString() != message.ClientMessageId)
            {
                _problems.Enqueue($"{Name}: the reply to {message.ClientMessageId} names {reply.GetProperty("clientMessageId")}");
            }

            return new SendReply(Name, message.SenderId, message.ClientMessageId, reply.GetProperty("seq").GetInt64(),
                reply.GetProperty("at").GetDateTimeOffset(), kind, ChatLedger.Now);
        }

        var error = reply.GetProperty("error");
        if (error.GetProperty("code").GetString() == "unavailable")
        {
            _ledger.Fault("unavailable");
            return null;
        }

        throw new ContractBrokenException($"{Name}: sending {message.ClientMessageId} ({kind}) was refused: {error}");
    }

    /// <summary>The current connection, (re)connecting and resuming when there is none.</summary>
    private async Task<HubConnection> HubAsync(CancellationToken ct)
    {
        if (_hub is { State: HubConnectionState.Connected } hub)
        {
            return hub;
        }

        await DropAsync(null);
        await ConnectAsync(ct);
        return _hub!;
    }

    /// <summary>Closes the connection (a dropped network); <paramref name="fault"/> names it when it is injected.</summary>
    private async Task DropAsync(string? fault)
    {
        if (fault is not null)
        {
            _ledger.Fault(fault);
        }

        if (Interlocked.Exchange(ref _hub, null) is { } hub)
        {
            await hub.DisposeAsync();
        }
    }

    /// <summary>
    /// A new connection (waiting out a restart of the host), then rule 1 the first time
    /// (<c>SubscribeThread</c>) and rule 3 after that (<c>ResumeThread</c> from the cursor): a new connection
    /// has no subscriptions.
    /// </summary>
    private async Task ConnectAsync(CancellationToken ct)
    {
        await _syncing.WaitAsync(ct);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                await _host.UpAsync(ct);
                HubConnection? hub = null;
                try
                {
                    var token = _token ??= await _host.TokenAsync(UserId, ct);
                    hub = new HubConnectionBuilder()
                        .WithUrl(new Uri(_host.BaseAddress, "hubs/huddle"), o =>
                        {
                            o.AccessTokenProvider = () => Task.FromResult<string?>(token);
                            o.Transports = HttpTransportType.WebSockets;
                            o.SkipNegotiation = true;
                        })
                        .Build();
                    // A busy machine answers keep-alives late; a killed host closes the socket at once anyway.
                    hub.ServerTimeout = TimeSpan.FromSeconds(60);
                    hub.On<JsonElement>(ThreadChanged, change => _events.Writer.TryWrite((ThreadChanged, change.Clone())));
                    hub.On<JsonElement>(UnreadChanged, change => _events.Writer.TryWrite((UnreadChanged, change.Clone())));
                    await hub.StartAsync(ct);
                    if (_opened)
                    {
                        await ResumeAsync(hub, "a reconnect", ct);
                    }
                    else
                    {
                        await OpenAsync(hub, ct);
                    }

                    await OpenUnreadAsync(hub, ct);

                    _hub = hub;
                    return;
                }
                catch (Exception ex) when (Transient(ex, ct) && attempt < MaxConnectAttempts)
                {
                    // The token may be from before a restart; sign in again next time.
                    _token = null;
                    if (hub is not null)
                    {
                        await hub.DisposeAsync();
                    }

                    // A short back-off before the next attempt (the host is up: this was a refusal or a race).
                    await Task.Delay(50, ct);
                }
            }
        }
        finally
        {
            _syncing.Release();
        }
    }

    /// <summary>Rule 1: open, show the snapshot, scroll back while <c>more</c>; the cursor is the reply's seq.</summary>
    private async Task OpenAsync(HubConnection hub, CancellationToken ct)
    {
        var reply = Ok(await hub.InvokeAsync<JsonElement>("SubscribeThread", _threadId, ct), "SubscribeThread");
        var snapshot = reply.GetProperty("snapshot");
        var messages = snapshot.GetProperty("messages").EnumerateArray().Select(LoggedMessage.Parse).ToList();
        for (var more = snapshot.GetProperty("more").GetBoolean(); more && messages.Count > 0;)
        {
            var page = Ok(await hub.InvokeAsync<JsonElement>("ReadThreadBefore", _threadId, messages[0].Seq, 50, ct), "ReadThreadBefore");
            messages.InsertRange(0, page.GetProperty("messages").EnumerateArray().Select(LoggedMessage.Parse));
            more = page.GetProperty("more").GetBoolean();
        }

        var seq = reply.GetProperty("seq").GetInt64();
        lock (_gate)
        {
            _copy.Clear();
            _copy.AddRange(messages);
            (_cursor, _epoch, _opened) = (seq, reply.GetProperty("epoch").GetInt64(), true);
            if (!_copy.Select(m => m.Seq).SequenceEqual(Enumerable.Range(1, _copy.Count).Select(i => (long)i)) || _copy.Count != seq)
            {
                _problems.Enqueue($"{Name}: the opened thread and its scroll-back are not #1-#{seq}: {string.Join(", ", _copy.Take(10))}");
            }
        }
    }

    /// <summary>
    /// The unread counts' feed (<c>unread:{userId}</c>), as every feed: <c>SubscribeUnread</c> the first
    /// time, <c>ResumeUnread</c> from the held seq and epoch after that, paging on while <c>more</c>.
    /// </summary>
    private async Task OpenUnreadAsync(HubConnection hub, CancellationToken ct)
    {
        if (!_unreadOpened)
        {
            TakeUnread(Ok(await hub.InvokeAsync<JsonElement>("SubscribeUnread", ct), "SubscribeUnread"));
            _unreadOpened = true;
            return;
        }

        await ResumeUnreadAsync(hub, ct);
    }

    private async Task ResumeUnreadAsync(HubConnection hub, CancellationToken ct)
    {
        for (var more = true; more;)
        {
            var (seq, epoch) = (Unread.Seq, Unread.Epoch);
            more = TakeUnread(Ok(await hub.InvokeAsync<JsonElement>("ResumeUnread", seq, epoch, ct), "ResumeUnread"));
        }
    }

    /// <summary>A reply of the unread feed: a reset's snapshot, or the changes after the held seq in order; true when it says <c>more</c>.</summary>
    private bool TakeUnread(JsonElement reply)
    {
        lock (_gate)
        {
            if (reply.GetProperty("reset").GetBoolean())
            {
                var snapshot = reply.GetProperty("snapshot");
                var unread = snapshot.GetProperty("threads").EnumerateArray()
                    .Where(t => t.GetProperty("thread").GetProperty("threadId").GetString() == _threadId)
                    .Select(t => t.GetProperty("unread").GetInt64()).FirstOrDefault();
                _unread = new UnreadView(reply.GetProperty("seq").GetInt64(), reply.GetProperty("epoch").GetInt64(), unread, snapshot.GetProperty("total").GetInt64());
                return false;
            }

            foreach (var change in reply.GetProperty("changes").EnumerateArray())
            {
                if (!ApplyUnread(change))
                {
                    _problems.Enqueue($"{Name}: ResumeUnread from #{_unread.Seq} skipped to #{change.GetProperty("seq")}");
                    return false;
                }
            }

            _unread = _unread with { Epoch = reply.GetProperty("epoch").GetInt64() };
            return reply.GetProperty("more").GetBoolean();
        }
    }

    /// <summary>An unread change (event or catch-up): at seq + 1 applied, at or before it dropped; a gap or a reset is false (catch up).</summary>
    private bool ApplyUnread(JsonElement change)
    {
        lock (_gate)
        {
            var seq = change.GetProperty("seq").GetInt64();
            if (change.GetProperty("reset").GetBoolean() || seq > _unread.Seq + 1)
            {
                return false;
            }

            if (seq <= _unread.Seq)
            {
                return true;
            }

            var unread = _unread.Unread;
            if (change.TryGetProperty("removed", out var removed) && removed.EnumerateArray().Any(r => r.GetString() == _threadId))
            {
                unread = 0;
            }

            foreach (var thread in change.GetProperty("threads").EnumerateArray())
            {
                if (thread.GetProperty("thread").GetProperty("threadId").GetString() == _threadId)
                {
                    unread = thread.GetProperty("unread").GetInt64();
                }
            }

            _unread = _unread with { Seq = seq, Unread = unread, Total = change.GetProperty("total").GetInt64() };
            return true;
        }
    }

    /// <summary>A catch-up of the unread feed on the current connection; without one, the next reconnect resumes anyway.</summary>
    private async Task CatchUpUnreadAsync()
    {
        await _syncing.WaitAsync(_stop.Token);
        try
        {
            if (_hub is { State: HubConnectionState.Connected } hub && _unreadOpened)
            {
                await ResumeUnreadAsync(hub, _stop.Token);
            }
        }
        catch (Exception ex) when (Transient(ex, _stop.Token))
        {
            // The connection went meanwhile: its reconnect resumes.
        }
        finally
        {
            _syncing.Release();
        }
    }

    /// <summary>Rule 3: resume from the cursor, append the changes in order, read on while <c>more</c> (over HTTP or the hub, at random).</summary>
    private async Task ResumeAsync(HubConnection hub, string why, CancellationToken ct)
    {
        var (cursor, epoch) = Position();
        var reply = Ok(await hub.InvokeAsync<JsonElement>("ResumeThread", _threadId, cursor, epoch, ct), "ResumeThread");
        while (Take(reply, why))
        {
            (cursor, epoch) = Position();
            if (_random.Next(2) == 0)
            {
                reply = Ok(await hub.InvokeAsync<JsonElement>("ResumeThread", _threadId, cursor, epoch, ct), "ResumeThread");
                continue;
            }

            var limit = _random.Next(5, 60);
            using var request = new HttpRequestMessage(HttpMethod.Get,
                new Uri(string.Create(CultureInfo.InvariantCulture, $"api/threads/{_threadId}?since={cursor}&epoch={epoch}&limit={limit}"), UriKind.Relative));
            request.Headers.Authorization = new("Bearer", _token ??= await _host.TokenAsync(UserId, ct));
            using var response = await _http.SendAsync(request, ct);
            response.EnsureSuccessStatusCode();
            reply = Ok(await response.Content.ReadFromJsonAsync<JsonElement>(ct), "GET /api/threads/{threadId}?since=");
        }
    }

    /// <summary>Applies a catch-up reply; true when it says <c>more</c>.</summary>
    private bool Take(JsonElement reply, string why)
    {
        var changes = reply.GetProperty("changes").EnumerateArray().ToList();
        lock (_gate)
        {
            if (reply.GetProperty("reset").GetBoolean())
            {
                // Nothing was lost in this run: a reset breaks "never a reset for a thread that still holds the messages".
                _problems.Enqueue($"{Name}: {why} from #{_cursor} (epoch {_epoch}) was answered with a reset");
                return false;
            }

            if (reply.GetProperty("epoch").GetInt64() != _epoch)
            {
                _problems.Enqueue($"{Name}: {why} changed the epoch from {_epoch} to {reply.GetProperty("epoch")} without a reset");
            }

            if (changes.Count > 0)
            {
                _ledger.Fault("messages caught up");
            }

            foreach (var change in changes)
            {
                var message = LoggedMessage.Parse(change.GetProperty("message"));
                if (!Apply(message, why))
                {
                    _problems.Enqueue($"{Name}: {why} from #{_cursor} skipped to {message}");
                    return false;
                }
            }

            var seq = reply.GetProperty("seq").GetInt64();
            if (seq > _cursor)
            {
                _problems.Enqueue($"{Name}: {why} left the cursor at #{seq}, but its changes end at #{_cursor}");
            }

            return reply.GetProperty("more").GetBoolean();
        }
    }

    /// <summary>Rule 2: at the cursor + 1 it is appended; at or before the cursor it is held already (and must be the same); beyond it is a gap (false).</summary>
    private bool Apply(LoggedMessage message, string source)
    {
        lock (_gate)
        {
            if (message.Seq <= _cursor)
            {
                if (message.Seq >= 1 && message.Seq <= _copy.Count && _copy[(int)message.Seq - 1] != message)
                {
                    _problems.Enqueue($"{Name}: {source} carried {message} ({message.Text}) where {_copy[(int)message.Seq - 1]} is held");
                }

                return true;
            }

            if (message.Seq != _cursor + 1)
            {
                return false;
            }

            _copy.Add(message);
            _cursor = message.Seq;
            return true;
        }
    }

    private (long Cursor, long Epoch) Position()
    {
        lock (_gate)
        {
            return (_cursor, _epoch);
        }
    }

    /// <summary>Applies <c>ThreadChanged</c> events in arrival order; a gap or a reset event catches up (rule 2).</summary>
    private async Task PumpAsync()
    {
        try
        {
            await foreach (var (name, change) in _events.Reader.ReadAllAsync(_stop.Token))
            {
                if (name == UnreadChanged)
                {
                    if (!ApplyUnread(change))
                    {
                        await CatchUpUnreadAsync();
                    }

                    continue;
                }

                var catchUp = change.GetProperty("reset").GetBoolean();
                if (!catchUp)
                {
                    var message = LoggedMessage.Parse(change.GetProperty("message"));
                    if (change.GetProperty("seq").GetInt64() != message.Seq)
                    {
                        _problems.Enqueue($"{Name}: a ThreadChanged at #{change.GetProperty("seq")} carries {message}");
                    }

                    catchUp = !Apply(message, ThreadChanged);
                }

                if (catchUp)
                {
                    _ledger.Fault("gap in the live events");
                    await CatchUpAsync();
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Disposed.
        }
        catch (Exception ex)
        {
            _problems.Enqueue($"{Name}: applying events failed: {ex}");
        }
    }

    /// <summary>A catch-up on the current connection; without one, the next reconnect resumes anyway.</summary>
    private async Task CatchUpAsync()
    {
        await _syncing.WaitAsync(_stop.Token);
        try
        {
            if (_hub is { State: HubConnectionState.Connected } hub)
            {
                await ResumeAsync(hub, "a catch-up after a gap", _stop.Token);
            }
        }
        catch (Exception ex) when (Transient(ex, _stop.Token))
        {
            // The connection went meanwhile: its reconnect resumes.
        }
        finally
        {
            _syncing.Release();
        }
    }

    private JsonElement Ok(JsonElement reply, string call)
    {
        if (reply.GetProperty("ok").GetBoolean())
        {
            return reply;
        }

        var error = reply.GetProperty("error");
        return error.GetProperty("code").GetString() == "unavailable"
            ? throw new IOException($"{call}: unavailable")
            : throw new ContractBrokenException($"{Name}: {call} was refused: {error}");
    }

    /// <summary>Failures a dropped connection or a restarting host cause; anything else (a reply of the wrong shape, a refusal) fails the run.</summary>
    private static bool Transient(Exception ex, CancellationToken ct) =>
        !ct.IsCancellationRequested && ex is not (ContractBrokenException or KeyNotFoundException or JsonException or FormatException or InvalidCastException or NullReferenceException);
}

/// <summary>A device's unread count for the thread and the total, at <see cref="Seq"/> of its unread feed's <see cref="Epoch"/>.</summary>
internal sealed record UnreadView(long Seq, long Epoch, long Unread, long Total);

/// <summary>The server answered in a way docs/api.md rules out.</summary>
internal sealed class ContractBrokenException(string message) : Exception(message);
