using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace Huddle.Bench.Targets;

/// <summary>
/// The live managed heap of another .NET process, read without changing it: an EventPipe session
/// with the runtime's GCHeapCollect keyword makes the runtime run one full blocking GC (the same
/// trigger dotnet-gcdump uses), and the GCHeapStats event after that GC says how many bytes
/// survived it in every generation (LOH and POH included). Unlike RSS or a heap-size counter
/// read at a random moment, that figure carries no garbage and no GC budget, so it is stable.
/// </summary>
internal static class GcHeapProbe
{
    private const int InducedReason = 1; // GCReason.Induced

    /// <summary>Bytes alive after a forced full GC in process <paramref name="pid"/>.</summary>
    public static async Task<long> LiveBytesAfterFullGcAsync(int pid, TimeSpan timeout, CancellationToken ct)
    {
        var client = new DiagnosticsClient(pid);
        var keywords = (long)(ClrTraceEventParser.Keywords.GC | ClrTraceEventParser.Keywords.GCHeapCollect);
        var providers = new[] { new EventPipeProvider(ClrTraceEventParser.ProviderName, EventLevel.Informational, keywords) };
        using var session = await client.StartEventPipeSessionAsync(providers, requestRundown: false, circularBufferMB: 16, ct);
        var result = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);

        // Processing blocks until the session's stream ends, so it gets a thread of its own.
        var reader = Task.Run(() =>
        {
            using var source = new EventPipeEventSource(session.EventStream);
            var inducedFullGc = -1;
            source.Clr.GCStart += e =>
            {
                if ((int)e.Reason == InducedReason && e.Depth == 2)
                {
                    inducedFullGc = e.Count;
                }
            };
            source.Clr.GCHeapStats += e =>
            {
                // A GC the app ran on its own meanwhile is not ours; the stats follow their GC's end.
                if (inducedFullGc >= 0)
                {
                    result.TrySetResult(e.TotalPromoted);
                }
            };
            source.Process();
        }, CancellationToken.None);

        try
        {
            return await result.Task.WaitAsync(timeout, ct);
        }
        finally
        {
            await session.StopAsync(CancellationToken.None);
            await reader;
        }
    }
}
