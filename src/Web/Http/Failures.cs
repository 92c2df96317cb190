using Huddle.Contracts.Common;

namespace Huddle.Web.Http;

/// <summary>
/// Tells a failure of the infrastructure (a grain or silo that cannot be reached, a call that timed
/// out, storage that did not confirm a write) from a fault in Huddle itself. The first is the
/// documented <c>unavailable</c>, worth a retry; the second is a bug, answered as a 500 with a trace
/// id and never disguised as a passing outage.
/// </summary>
public static class Failures
{
    /// <summary>The error for a grain that could not be reached or a write storage did not confirm.</summary>
    public static readonly HuddleError Unavailable = new(ErrorCodes.Unavailable,
        "The service could not be reached or the change could not be confirmed as saved. Retry with the same opId, or re-read first.");

    /// <summary>True when <paramref name="ex"/> (or what it wraps) is the infrastructure failing, not Huddle.</summary>
    public static bool IsUnavailable(Exception? ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is TimeoutException or OrleansException or IOException or System.Net.Sockets.SocketException or HttpRequestException
                || e.GetType().Namespace is { } ns && (ns.StartsWith("Azure", StringComparison.Ordinal) || ns.StartsWith("Orleans.Storage", StringComparison.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The error a caller sees for a bug, naming the trace id under which it was logged.</summary>
    public static HuddleError Internal(string traceId) =>
        new(ErrorCodes.Internal, $"Something went wrong in Huddle; it was logged with trace id {traceId}.");
}
