using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Huddle.Storage.Tests.Jepsen;

/// <summary>A message as the wire carries it (docs/api.md, "A message"): what every copy of the thread is compared on.</summary>
internal sealed record LoggedMessage(long Seq, string SenderId, string ClientMessageId, string Text, string Priority, DateTimeOffset At)
{
    /// <summary>Reads a message object of a reply or an event (camelCase JSON).</summary>
    public static LoggedMessage Parse(JsonElement message) => new(
        message.GetProperty("seq").GetInt64(),
        message.GetProperty("senderId").GetString()!,
        message.GetProperty("clientMessageId").GetString()!,
        message.GetProperty("text").GetString()!,
        message.GetProperty("priority").GetString()!,
        message.GetProperty("at").GetDateTimeOffset());

    public (string SenderId, string ClientMessageId) Key => (SenderId, ClientMessageId);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"#{Seq} {SenderId}/{ClientMessageId}");
}

/// <summary>A message a device tried to send, with when it first tried (a <see cref="Stopwatch"/> timestamp).</summary>
internal sealed record Outgoing(string Device, string SenderId, string ClientMessageId, string Text, string Priority, long FirstTriedAt)
{
    public (string SenderId, string ClientMessageId) Key => (SenderId, ClientMessageId);
}

/// <summary>How a send's reply came about.</summary>
internal enum ReplyKind
{
    /// <summary>The reply to a message's first send.</summary>
    First,

    /// <summary>The reply to a send of a message whose earlier attempt failed or whose reply the device discarded.</summary>
    Retried,

    /// <summary>A reply that arrived and was then thrown away, as if the connection had dropped just before it: not an acknowledgement.</summary>
    Discarded,

    /// <summary>A deliberate resend of an acknowledged message (same id, same text) by the same device, another device of the same clinician, or over HTTP.</summary>
    Resend,
}

/// <summary>One reply a device received to a send (<c>ok: true</c>): the message's seq and stored time.</summary>
internal sealed record SendReply(string Device, string SenderId, string ClientMessageId, long Seq, DateTimeOffset At, ReplyKind Kind, long ReceivedAt)
{
    public (string SenderId, string ClientMessageId) Key => (SenderId, ClientMessageId);

    /// <summary>True when the device counts the message as acknowledged by this reply.</summary>
    public bool Acknowledges => Kind != ReplyKind.Discarded;
}

/// <summary>A read report (<c>ReportRead</c>) a device made and had answered: the seq it showed and the read cursor the reply stored.</summary>
internal sealed record ReadReport(string Device, string ClinicianId, long Seq, long StoredRead, long ReceivedAt);

/// <summary>
/// Everything the clients did and were told, as the checker needs it: every message tried, every reply,
/// and counts of the faults injected (so a run that injected none is noticed).
/// </summary>
internal sealed class ChatLedger
{
    private readonly ConcurrentQueue<Outgoing> _tried = new();
    private readonly ConcurrentQueue<SendReply> _replies = new();
    private readonly ConcurrentQueue<ReadReport> _reads = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Outgoing>> _ackedBySender = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _faults = new(StringComparer.Ordinal);
    private int _acknowledged;

    public IReadOnlyCollection<Outgoing> Tried => _tried;

    public IReadOnlyCollection<SendReply> Replies => _replies;

    public IReadOnlyCollection<ReadReport> Reads => _reads;

    /// <summary>Messages acknowledged so far (first acknowledgements only).</summary>
    public int Acknowledged => Volatile.Read(ref _acknowledged);

    /// <summary>How often each kind of fault was injected, by name.</summary>
    public IReadOnlyDictionary<string, int> Faults => _faults;

    public static long Now => Stopwatch.GetTimestamp();

    public void Try(Outgoing message) => _tried.Enqueue(message);

    public void Reply(Outgoing message, SendReply reply)
    {
        _replies.Enqueue(reply);
        if (reply.Kind is ReplyKind.First or ReplyKind.Retried)
        {
            Interlocked.Increment(ref _acknowledged);
            _ackedBySender.GetOrAdd(message.SenderId, _ => new()).Enqueue(message);
        }
    }

    public void Read(ReadReport report) => _reads.Enqueue(report);

    public void Fault(string kind) => _faults.AddOrUpdate(kind, 1, (_, n) => n + 1);

    public int FaultCount(string kind) => _faults.GetValueOrDefault(kind);

    /// <summary>An acknowledged message of <paramref name="senderId"/> (sent from any of their devices), or null.</summary>
    public Outgoing? AcknowledgedOf(string senderId, Random random)
    {
        if (!_ackedBySender.TryGetValue(senderId, out var acked))
        {
            return null;
        }

        var all = acked.ToArray();
        return all.Length == 0 ? null : all[random.Next(all.Length)];
    }
}
