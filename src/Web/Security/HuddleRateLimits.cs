using System.Threading.RateLimiting;

namespace Huddle.Web.Security;

/// <summary>
/// The limiters of one web host: hub calls by connection and by user, Blazor circuits' calls by
/// connection, and the API policy by user.
/// Partitions of gone connections are dropped by the partitioned limiter once their bucket is full
/// again (idle), so memory follows the live connections, not the host's history.
/// </summary>
public sealed class HuddleRateLimits : IDisposable
{
    /// <summary>The rate limiting policy of the <c>/api</c> group.</summary>
    public const string ApiPolicy = "huddle-api";

    public HuddleRateLimits(RateLimitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        ByConnection = PartitionedRateLimiter.Create<string, string>(id =>
            RateLimitPartition.GetTokenBucketLimiter(id, _ => RateLimitOptions.Bucket(options.HubCallsPerConnection)));
        ByUser = PartitionedRateLimiter.Create<string, string>(id =>
            RateLimitPartition.GetTokenBucketLimiter(id, _ => RateLimitOptions.Bucket(options.HubCallsPerUser)));
        ByCircuit = PartitionedRateLimiter.Create<string, string>(id =>
            RateLimitPartition.GetTokenBucketLimiter(id, _ => RateLimitOptions.Bucket(options.CircuitCallsPerUser, CircuitQueue)));
    }

    /// <summary>
    /// How many calls of one user's circuits may wait for a token at once. SignalR runs one call per
    /// connection at a time, so each circuit has at most one waiting and its socket is not read meanwhile:
    /// this is one per page for a user with many open, and past it a call is refused (a client opening
    /// circuits to flood).
    /// </summary>
    public const int CircuitQueue = 64;

    public RateLimitOptions Options { get; }

    /// <summary>Hub calls, by connection id.</summary>
    public PartitionedRateLimiter<string> ByConnection { get; }

    /// <summary>Hub calls, by user id.</summary>
    public PartitionedRateLimiter<string> ByUser { get; }

    /// <summary>Blazor circuits' calls, by user id (a circuit signed in as nobody: by connection id); over the rate they wait (<see cref="CircuitQueue"/>).</summary>
    public PartitionedRateLimiter<string> ByCircuit { get; }

    public void Dispose()
    {
        ByConnection.Dispose();
        ByUser.Dispose();
        ByCircuit.Dispose();
    }
}
