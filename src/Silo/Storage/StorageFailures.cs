using System.Net.Http;
using Azure;

namespace Huddle.Silo.Storage;

/// <summary>How Huddle tells "storage is not there" apart from every other storage failure.</summary>
internal static class StorageFailures
{
    /// <summary>
    /// True for what the Azure SDK throws when storage cannot be reached or does not answer, after
    /// its retries: a transport failure (status 0, wrapped in an <see cref="AggregateException"/>
    /// once retries are spent), a network timeout (cancellation), or a 408/429/5xx answer.
    /// </summary>
    public static bool IsOutage(Exception ex) => ex switch
    {
        RequestFailedException r => r.Status is 0 or 408 or 429 or >= 500,
        AggregateException a => a.InnerExceptions.Count > 0 && a.InnerExceptions.All(IsOutage),
        OperationCanceledException or TimeoutException or HttpRequestException or System.Net.Sockets.SocketException or IOException => true,
        _ => ex.InnerException is { } inner && IsOutage(inner),
    };

    /// <summary>The exception a caller sees for an outage during <paramref name="operation"/> on <paramref name="table"/>.</summary>
    public static GrainStorageUnavailableException Unavailable(string table, string operation, Exception ex) =>
        new($"Storage (Azure table '{table}') is unreachable: a {operation} failed after the SDK's retries; its outcome is unknown. Later calls try storage again.", ex);
}
