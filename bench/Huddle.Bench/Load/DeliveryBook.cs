using System.Diagnostics;
using HdrHistogram;
using Huddle.Bench.Targets;

namespace Huddle.Bench.Load;

/// <summary>
/// The schedule of one run and what arrived. Updates are due at fixed instants (open loop); a
/// delivery's latency is measured from when its update was <em>due</em>, not from when it was
/// actually sent, so a stalled sender or server shows up in the figures instead of hiding them.
/// Shared by every subscriber of the run: one handler, lock-free recording.
/// </summary>
internal sealed class DeliveryBook
{
    /// <summary>Microseconds; anything above a minute is recorded as a minute.</summary>
    public const long MaxMicros = 60_000_000;
    private static readonly double MicrosPerTick = 1_000_000.0 / Stopwatch.Frequency;

    private readonly long[] _due;
    private readonly int[] _remaining;
    private readonly long[] _done;
    private readonly long[] _first;
    private readonly long[] _replied;
    private long _received;
    private long _receivedMeasured;
    private long _stale;
    private long _lastArrival;

    public DeliveryBook(int tag, long start, double updatesPerSecond, int updates, int measureFrom, int subscribersPerUpdate)
    {
        Tag = tag;
        MeasureFrom = measureFrom;
        SubscribersPerUpdate = subscribersPerUpdate;
        _due = new long[updates];
        _remaining = new int[updates];
        _done = new long[updates];
        _first = new long[updates];
        _replied = new long[updates];
        var ticksPerUpdate = Stopwatch.Frequency / updatesPerSecond;
        for (var i = 0; i < updates; i++)
        {
            _due[i] = start + (long)(i * ticksPerUpdate);
            _remaining[i] = subscribersPerUpdate;
        }

        OnMarker = Record;
    }

    public int Tag { get; }

    public int Updates => _due.Length;

    /// <summary>Updates before this one are warm-up: delivered but not measured.</summary>
    public int MeasureFrom { get; }

    public int SubscribersPerUpdate { get; }

    /// <summary>Per delivery: due → this subscriber has it.</summary>
    public LongConcurrentHistogram Delivery { get; } = NewHistogram();

    /// <summary>Per update: due → the last subscriber has it.</summary>
    public LongConcurrentHistogram Fanout { get; } = NewHistogram();

    /// <summary>Per update: due → the sender actually sent it (the generator's own lag).</summary>
    public LongConcurrentHistogram SendLag { get; } = NewHistogram();

    /// <summary>The one handler every subscriber connection of the run shares: an update's tag text (a note or a room), or null.</summary>
    public Action<string?> OnMarker { get; }

    public long Received => Interlocked.Read(ref _received);

    public long ReceivedMeasured => Interlocked.Read(ref _receivedMeasured);

    public long Stale => Interlocked.Read(ref _stale);

    public long LastArrival => Interlocked.Read(ref _lastArrival);

    public long Expected => (long)Updates * SubscribersPerUpdate;

    public long ExpectedMeasured => (long)(Updates - MeasureFrom) * SubscribersPerUpdate;

    public long Due(int seq) => _due[seq];

    public int IncompleteFanouts(int from)
    {
        var n = 0;
        for (var i = from; i < _remaining.Length; i++)
        {
            n += Volatile.Read(ref _remaining[i]) > 0 ? 1 : 0;
        }

        return n;
    }

    /// <summary>
    /// The share of the measured, fully delivered updates whose flight (due → the last subscriber has it)
    /// overlapped one of <paramref name="pauses"/> (Stopwatch timestamps): among those whose fan-out took
    /// longer than <paramref name="slowMicros"/>, and among all of them (what chance alone gives).
    /// </summary>
    public (double Slow, double All) ShareMeeting(IReadOnlyList<(long From, long To)> pauses, long slowMicros)
    {
        var (slow, slowMet, all, allMet) = (0, 0, 0, 0);
        for (var i = MeasureFrom; i < _due.Length; i++)
        {
            var (due, done) = (_due[i], Volatile.Read(ref _done[i]));
            if (done == 0)
            {
                continue;
            }

            var met = pauses.Any(p => p.From < done && p.To > due);
            (all, allMet) = (all + 1, allMet + (met ? 1 : 0));
            if (Micros(done - due) > slowMicros)
            {
                (slow, slowMet) = (slow + 1, slowMet + (met ? 1 : 0));
            }
        }

        return (slow == 0 ? 0 : (double)slowMet / slow, all == 0 ? 0 : (double)allMet / all);
    }

    /// <summary>The publish's reply reached the sender (for a handoff: the requester has its answer).</summary>
    public void RecordReply(int seq) => _replied[seq] = Stopwatch.GetTimestamp();

    /// <summary>
    /// Where the slowest updates' time went: medians, in ms from due, of the publish's reply, the first
    /// subscriber's arrival and the last's, over the measured updates whose fan-out took longer than
    /// <paramref name="slowMicros"/>, and over all of them, then when the slow ones were due (seconds from
    /// the first measured one). A slow update whose first arrival is as late as its last waited before its
    /// fan-out began; one whose reply is late too waited on the request's own path; due times at a steady
    /// spacing point at something periodic.
    /// </summary>
    public string Anatomy(long slowMicros)
    {
        var (slow, all) = (new List<(double, double, double)>(), new List<(double, double, double)>());
        var at = new List<double>();
        for (var i = MeasureFrom; i < _due.Length; i++)
        {
            var (due, done, first, replied) = (_due[i], Volatile.Read(ref _done[i]), Volatile.Read(ref _first[i]), Volatile.Read(ref _replied[i]));
            if (done == 0 || first == 0 || replied == 0)
            {
                continue;
            }

            var row = (Micros(replied - due) / 1000.0, Micros(first - due) / 1000.0, Micros(done - due) / 1000.0);
            all.Add(row);
            if (Micros(done - due) > slowMicros)
            {
                slow.Add(row);
                at.Add((due - _due[MeasureFrom]) / (double)Stopwatch.Frequency);
            }
        }

        return $"slowest {slow.Count}: reply {Median(slow, r => r.Item1):0.00} first {Median(slow, r => r.Item2):0.00} last {Median(slow, r => r.Item3):0.00} ms; "
            + $"all: reply {Median(all, r => r.Item1):0.00} first {Median(all, r => r.Item2):0.00} last {Median(all, r => r.Item3):0.00} ms; "
            + $"slowest due at s: {string.Join(' ', at.Select(a => a.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)))}";

        static double Median(List<(double, double, double)> rows, Func<(double, double, double), double> pick)
        {
            if (rows.Count == 0)
            {
                return double.NaN;
            }

            var values = rows.Select(pick).Order().ToArray();
            return values[values.Length / 2];
        }
    }

    public void RecordSend(int seq, long sentAt)
    {
        if (seq >= MeasureFrom)
        {
            SendLag.RecordValue(Micros(sentAt - _due[seq]));
        }
    }

    public static long Micros(long ticks) => Math.Clamp((long)(ticks * MicrosPerTick), 0, MaxMicros);

    public static LongConcurrentHistogram NewHistogram() => new(1, MaxMicros, 3);

    private void Record(string? marker)
    {
        var now = Stopwatch.GetTimestamp();
        if (!Notes.TryParse(marker, out var tag, out var seq) || tag != Tag || (uint)seq >= (uint)_due.Length)
        {
            // Another run's late delivery, or an update that is not the bench's.
            Interlocked.Increment(ref _stale);
            return;
        }

        Interlocked.Increment(ref _received);
        InterlockedMax(ref _lastArrival, now);
        var latency = Micros(now - _due[seq]);
        Interlocked.CompareExchange(ref _first[seq], now, 0);
        var last = Interlocked.Decrement(ref _remaining[seq]) == 0;
        if (last)
        {
            _done[seq] = now;
        }
        if (seq < MeasureFrom)
        {
            return;
        }

        Interlocked.Increment(ref _receivedMeasured);
        Delivery.RecordValue(latency);
        if (last)
        {
            Fanout.RecordValue(latency);
        }
    }

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Interlocked.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
