using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace Huddle.Bench.Targets;

/// <summary>
/// The garbage collections of a server during a window, and the time its runtime held every managed thread
/// still (a GC's suspension, or another one such as a tiered-compilation step): every delivery in flight
/// then waits, so a tail that comes with more or longer pauses is the runtime's, not the path's.
/// </summary>
/// <param name="Gen0">Collections of generation 0 only.</param>
/// <param name="Gen1">Collections of generations 0 and 1.</param>
/// <param name="Gen2">Full collections (blocking or background).</param>
/// <param name="Pauses">Times the runtime suspended every managed thread.</param>
/// <param name="PausedMs">Their total length, in milliseconds.</param>
/// <param name="LongestPauseMs">The longest one.</param>
/// <param name="SlowestMet">Of the updates whose fan-out was slower than the round's p99, the share whose flight overlapped a pause.</param>
/// <param name="AllMet">Of all measured updates, the share whose flight overlapped a pause (what chance alone gives).</param>
/// <param name="PromotedMb">
/// What the window's collections found still alive in the generations they collected and kept (promoted out of
/// generation 0, and out of generation 1 when it was collected too), in MB: a young collection's pause grows with
/// it, so it names the stream of objects that live longer than the time between collections.
/// </param>
internal sealed record RuntimePauses(int Gen0, int Gen1, int Gen2, int Pauses, double PausedMs, double LongestPauseMs, double SlowestMet = 0, double AllMet = 0,
    double PromotedMb = 0)
{
    /// <summary>
    /// What the collections marked alive, in MB, by the kind of root they reached it from (the runtime's
    /// <c>GCMarkWithType</c>: "older" is a reference from an older generation, the card table's; "stack" a
    /// thread's stack; "handle" a GC handle, such as a pinned buffer or a timer's): which structures keep the
    /// young objects alive.
    /// </summary>
    public IReadOnlyDictionary<string, double> MarkedViaMb { get; init; } = new Dictionary<string, double>();

    /// <summary>Each pause, from its start to its end, in <see cref="System.Diagnostics.Stopwatch"/> timestamps (the bench's clock).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<(long From, long To)> Windows { get; init; } = [];

    public override string ToString() =>
        $"GC {Gen0}/{Gen1}/{Gen2} promoted {PromotedMb:0.0} MB, paused {PausedMs:0.0} ms in {Pauses} (longest {LongestPauseMs:0.00}); slowest 1 % met a pause {SlowestMet:P0} (all {AllMet:P0})"
        + (MarkedViaMb.Count == 0 ? "" : "; marked via " + string.Join(", ", MarkedViaMb.Select(m => $"{m.Key} {m.Value:0.0}")));
}

/// <summary>
/// Watches a server's runtime through an EventPipe session with the GC keyword at the informational level (a
/// few events per collection: the session does not slow the server measurably, and every target gets the
/// same), and counts what falls inside the window <see cref="StopAsync"/> is given.
/// </summary>
internal sealed class RuntimePauseWatch : IAsyncDisposable
{
    private readonly EventPipeSession _session;
    private readonly Task _reader;
    private readonly List<(DateTime At, int Depth)> _collections = [];
    private readonly List<(DateTime At, long Bytes)> _promoted = [];
    private readonly List<(DateTime At, int Root, long Bytes)> _marked = [];
    private readonly List<(DateTime At, double Ms)> _pauses = [];
    private readonly Lock _gate = new();
    private bool _stopped;

    private RuntimePauseWatch(EventPipeSession session)
    {
        _session = session;
        // Processing blocks until the session's stream ends, so it gets a thread of its own.
        _reader = Task.Run(Read, CancellationToken.None);
    }

    /// <summary>Starts watching process <paramref name="pid"/>.</summary>
    public static async Task<RuntimePauseWatch> StartAsync(int pid, CancellationToken ct)
    {
        var client = new DiagnosticsClient(pid);
        var providers = new[] { new EventPipeProvider(ClrTraceEventParser.ProviderName, EventLevel.Informational, (long)ClrTraceEventParser.Keywords.GC) };
        var session = await client.StartEventPipeSessionAsync(providers, requestRundown: false, circularBufferMB: 16, ct);
        return new RuntimePauseWatch(session);
    }

    private void Read()
    {
        using var source = new EventPipeEventSource(_session.EventStream);
        DateTime? suspended = null;
        source.Clr.GCStart += e =>
        {
            lock (_gate)
            {
                _collections.Add((e.TimeStamp.ToUniversalTime(), e.Depth));
            }
        };
        source.Clr.GCSuspendEEStart += e => suspended = e.TimeStamp;
        // Sent at the end of every collection: what it promoted out of generations 0 and 1 (0 when 1 was not collected).
        source.Clr.GCHeapStats += e =>
        {
            lock (_gate)
            {
                _promoted.Add((e.TimeStamp.ToUniversalTime(), e.TotalPromotedSize0 + e.TotalPromotedSize1));
            }
        };
        source.Clr.GCMarkWithType += e =>
        {
            lock (_gate)
            {
                _marked.Add((e.TimeStamp.ToUniversalTime(), e.Type, e.Promoted));
            }
        };
        source.Clr.GCRestartEEStop += e =>
        {
            if (suspended is { } from)
            {
                lock (_gate)
                {
                    _pauses.Add((from.ToUniversalTime(), (e.TimeStamp - from).TotalMilliseconds));
                }

                suspended = null;
            }
        };
        source.Process();
    }

    /// <summary>
    /// Ends the session and sums what started between the <see cref="System.Diagnostics.Stopwatch"/> timestamps
    /// <paramref name="from"/> and <paramref name="to"/>. The runtime's events carry wall-clock times: they are
    /// put on the bench's clock here, with one offset read now.
    /// </summary>
    public async Task<RuntimePauses> StopAsync(long from, long to)
    {
        await DisposeAsync();
        var (nowUtc, now) = (DateTime.UtcNow, System.Diagnostics.Stopwatch.GetTimestamp());
        long Timestamp(DateTime utc) => now + (long)((utc - nowUtc).TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        bool Inside(DateTime utc) => Timestamp(utc) is var at && at >= from && at <= to;
        lock (_gate)
        {
            var collections = _collections.Where(c => Inside(c.At)).ToList();
            var windows = _pauses.Select(p => (From: Timestamp(p.At), To: Timestamp(p.At.AddMilliseconds(p.Ms)), p.Ms)).Where(p => p.From >= from && p.From <= to).ToList();
            var pauses = windows.Select(p => p.Ms).ToList();
            var promoted = _promoted.Where(p => Inside(p.At)).Sum(p => p.Bytes);
            return new RuntimePauses(
                collections.Count(c => c.Depth == 0),
                collections.Count(c => c.Depth == 1),
                collections.Count(c => c.Depth == 2),
                pauses.Count,
                Math.Round(pauses.Sum(), 2),
                Math.Round(pauses.DefaultIfEmpty(0).Max(), 3),
                PromotedMb: Math.Round(promoted / 1e6, 2))
            {
                Windows = [.. windows.Select(p => (p.From, p.To))],
                MarkedViaMb = _marked.Where(m => m.Bytes > 0 && Inside(m.At))
                    .GroupBy(m => RootName(m.Root))
                    .Select(g => (Root: g.Key, Mb: Math.Round(g.Sum(m => m.Bytes) / 1e6, 2)))
                    .OrderByDescending(g => g.Mb)
                    .ToDictionary(g => g.Root, g => g.Mb),
            };
        }
    }

    /// <summary>The runtime's root kinds (<c>GC_ROOT_KIND</c>), by name.</summary>
    private static string RootName(int root) => root switch
    {
        0 => "stack",
        1 => "finalizer",
        2 => "handle",
        3 => "older",
        4 => "sized-ref",
        5 => "overflow",
        6 => "dependent-handle",
        7 => "new-finalizer",
        8 => "steal",
        9 => "background",
        _ => $"kind-{root}",
    };

    public async ValueTask DisposeAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        try
        {
            await _session.StopAsync(CancellationToken.None);
        }
        catch (ServerNotAvailableException)
        {
            // The server is gone (a run that failed): nothing more will come.
        }

        await _reader;
        _session.Dispose();
    }
}
