using System.Globalization;

namespace Huddle.Storage.Tests.Jepsen;

/// <summary>
/// The set check over a run's history (what clients tried and were told) and the thread as read at the
/// end (the server's log over HTTP, and every device's live copy). Each rule is the API's promise
/// (docs/api.md, "Chat"); a broken one is reported as a sentence naming the messages involved.
/// </summary>
internal static class ChatChecker
{
    /// <summary>Every way the history and the copies break the contract; empty when they keep it.</summary>
    public static IReadOnlyList<string> Check(
        IReadOnlyList<LoggedMessage> log,
        IReadOnlyDictionary<string, IReadOnlyList<LoggedMessage>> copies,
        IReadOnlyCollection<Outgoing> tried,
        IReadOnlyCollection<SendReply> replies)
    {
        var problems = new List<string>();
        void Problem(string text) => problems.Add(text);
        var ci = CultureInfo.InvariantCulture;

        // The log: seq gap-free from 1, in order.
        for (var i = 0; i < log.Count; i++)
        {
            if (log[i].Seq != i + 1)
            {
                Problem(string.Create(ci, $"the log is not gap-free from 1: position {i + 1} holds {log[i]}"));
                break;
            }
        }

        // Each (sender, client message id) is one message: stored at most once.
        var stored = log.GroupBy(m => m.Key).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var (key, copiesOf) in stored.Where(kv => kv.Value.Count > 1))
        {
            Problem($"{key.SenderId}/{key.ClientMessageId} is stored {copiesOf.Count} times: {string.Join(", ", copiesOf)}");
        }

        // Whatever is stored was sent, with the text and priority it was sent with.
        var sent = tried.GroupBy(m => m.Key).ToDictionary(g => g.Key, g => g.First());
        foreach (var message in log)
        {
            if (!sent.TryGetValue(message.Key, out var original))
            {
                Problem($"{message} was never sent by anyone");
            }
            else if (original.Text != message.Text || original.Priority != message.Priority)
            {
                Problem($"{message} is stored with other content than {original.Device} sent");
            }
        }

        // Every reply to one message is the same reply (a resend, also after a lost reply or from another
        // device of the sender, gets the first), and an acknowledged message is there, at its seq.
        foreach (var group in replies.GroupBy(r => r.Key))
        {
            var first = group.OrderBy(r => r.ReceivedAt).First();
            foreach (var other in group.Where(r => r.Seq != first.Seq || r.At != first.At))
            {
                Problem(string.Create(ci, $"{group.Key.SenderId}/{group.Key.ClientMessageId}: {other.Device} was told #{other.Seq} at {other.At:O} ({other.Kind}), {first.Device} #{first.Seq} at {first.At:O} ({first.Kind})"));
            }

            if (group.Any(r => r.Acknowledges))
            {
                var at = first.Seq >= 1 && first.Seq <= log.Count ? log[(int)first.Seq - 1] : null;
                if (at is null || at.Key != group.Key || at.At != first.At)
                {
                    Problem(string.Create(ci, $"{group.Key.SenderId}/{group.Key.ClientMessageId} was acknowledged as #{first.Seq}, but #{first.Seq} is {(at is null ? "missing" : at.ToString())}"));
                }
            }
        }

        // Every message tried was acknowledged in the end (the devices keep an outbox until it is).
        var acknowledged = replies.Where(r => r.Acknowledges).Select(r => r.Key).ToHashSet();
        foreach (var message in sent.Values.Where(m => !acknowledged.Contains(m.Key)))
        {
            Problem($"{message.SenderId}/{message.ClientMessageId} from {message.Device} was never acknowledged");
        }

        // Real-time order: a message acknowledged before another was first sent has the lower seq.
        var firstAcks = replies.Where(r => r.Acknowledges).GroupBy(r => r.Key).Select(g => g.MinBy(r => r.ReceivedAt)!).OrderBy(r => r.ReceivedAt).ToList();
        var bySend = sent.Values.Where(m => acknowledged.Contains(m.Key)).OrderBy(m => m.FirstTriedAt).ToList();
        var seqOf = firstAcks.ToDictionary(r => r.Key, r => r.Seq);
        var (next, highest, highestKey) = (0, 0L, default((string, string)));
        foreach (var message in bySend)
        {
            for (; next < firstAcks.Count && firstAcks[next].ReceivedAt < message.FirstTriedAt; next++)
            {
                if (firstAcks[next].Seq > highest)
                {
                    (highest, highestKey) = (firstAcks[next].Seq, firstAcks[next].Key);
                }
            }

            if (seqOf[message.Key] <= highest)
            {
                Problem(string.Create(ci, $"{message.SenderId}/{message.ClientMessageId} was first sent after {highestKey.Item1}/{highestKey.Item2} (#{highest}) was acknowledged, yet got #{seqOf[message.Key]}"));
            }
        }

        // Every device holds exactly the log: the same messages at the same seqs, nothing more or less.
        foreach (var (device, copy) in copies)
        {
            var difference = Enumerable.Range(0, Math.Max(copy.Count, log.Count))
                .FirstOrDefault(i => i >= copy.Count || i >= log.Count || copy[i] != log[i], -1);
            if (difference >= 0)
            {
                Problem(string.Create(ci, $"{device}'s copy differs from the log at position {difference + 1}: {(difference < copy.Count ? copy[difference].ToString() : "nothing")} where the log has {(difference < log.Count ? log[difference].ToString() : "nothing")} ({copy.Count} held, {log.Count} in the log)"));
            }
        }

        return problems;
    }

    /// <summary>
    /// A clinician's true unread count in the thread (docs/api.md, "Receipts and unread counts"): the
    /// messages by others after their read cursor, which is the furthest seq any of their devices
    /// reported read or their own newest message (sending moves it).
    /// </summary>
    public static (long Unread, long ReadCursor) UnreadTruth(IReadOnlyList<LoggedMessage> log, IReadOnlyCollection<ReadReport> reads, string clinicianId)
    {
        var read = Math.Max(
            reads.Where(r => r.ClinicianId == clinicianId).Select(r => r.Seq).DefaultIfEmpty(0).Max(),
            log.Where(m => m.SenderId == clinicianId).Select(m => m.Seq).DefaultIfEmpty(0).Max());
        return (log.LongCount(m => m.Seq > read && m.SenderId != clinicianId), read);
    }

    /// <summary>
    /// Every member whose receipts (the thread's copy of their cursors) do not say they read exactly as
    /// far as they did (<paramref name="readCursors"/>), or say less was delivered than read.
    /// </summary>
    public static IReadOnlyList<string> CheckReceipts(IReadOnlyDictionary<string, long> readCursors, IReadOnlyDictionary<string, (long Delivered, long Read)> receipts)
    {
        var problems = new List<string>();
        foreach (var (member, read) in readCursors)
        {
            var (delivered, shown) = receipts.GetValueOrDefault(member);
            if (shown != read || delivered < shown)
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"the receipts show {member} delivered #{delivered}, read #{shown}; they read up to #{read}"));
            }
        }

        return problems;
    }

    /// <summary>Every device whose unread count (the thread's, and the total: the thread is their only one with messages) is not the truth.</summary>
    public static IReadOnlyList<string> CheckUnread(
        IReadOnlyList<LoggedMessage> log,
        IReadOnlyCollection<ReadReport> reads,
        IReadOnlyDictionary<string, (string ClinicianId, UnreadView View)> devices)
    {
        var problems = new List<string>();
        foreach (var (device, (clinician, view)) in devices)
        {
            var (unread, read) = UnreadTruth(log, reads, clinician);
            if (view.Unread != unread || view.Total != unread)
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{device} shows {view.Unread} unread ({view.Total} in all) at #{view.Seq} of its unread feed; {clinician} has {unread} (read up to #{read} of {log.Count})"));
            }
        }

        return problems;
    }
}
