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
internal sealed record RuntimePauses(int Gen0, int Gen1, int Gen2, int Pauses, double PausedMs, double LongestPauseMs, double SlowestMet = 0, double AllMet = 0)
{
    /// <summary>Each pause, from its start to its end, in <see cref="System.Diagnostics.Stopwatch"/> timestamps (the bench's clock).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<(long From, long To)> Windows { get; init; } = [];

    public override string ToString() =>
        $"GC {Gen0}/{Gen1}/{Gen2} paused {PausedMs:0.0} ms in {Pauses} (longest {LongestPauseMs:0.00}); slowest 1 % met a pause {SlowestMet:P0} (all {AllMet:P0})";
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
        lock (_gate)
        {
            var collections = _collections.Select(c => (At: Timestamp(c.At), c.Depth)).Where(c => c.At >= from && c.At <= to).ToList();
            var windows = _pauses.Select(p => (From: Timestamp(p.At), To: Timestamp(p.At.AddMilliseconds(p.Ms)), p.Ms)).Where(p => p.From >= from && p.From <= to).ToList();
            var pauses = windows.Select(p => p.Ms).ToList();
            return new RuntimePauses(
                collections.Count(c => c.Depth == 0),
                collections.Count(c => c.Depth == 1),
                collections.Count(c => c.Depth == 2),
                pauses.Count,
                Math.Round(pauses.Sum(), 2),
                Math.Round(pauses.DefaultIfEmpty(0).Max(), 3))
            {
                Windows = [.. windows.Select(p => (p.From, p.To))],
            };
        }
    }

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
