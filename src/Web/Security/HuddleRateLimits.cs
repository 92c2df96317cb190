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
            RateLimitPartition.GetTokenBucketLimiter(id, _ => RateLimitOptions.Bucket(options.CircuitCallsPerConnection, CircuitQueue)));
    }

    /// <summary>
    /// How many calls of one circuit may wait for a token at once. SignalR runs one call per connection at a
    /// time, so a circuit's calls wait one behind the other and its socket is not read meanwhile; more would
    /// wait only if a host allowed parallel calls.
    /// </summary>
    public const int CircuitQueue = 16;

    public RateLimitOptions Options { get; }

    /// <summary>Hub calls, by connection id.</summary>
    public PartitionedRateLimiter<string> ByConnection { get; }

    /// <summary>Hub calls, by user id.</summary>
    public PartitionedRateLimiter<string> ByUser { get; }

    /// <summary>Blazor circuits' calls, by connection id; over the rate they wait (<see cref="CircuitQueue"/>).</summary>
    public PartitionedRateLimiter<string> ByCircuit { get; }

    public void Dispose()
    {
        ByConnection.Dispose();
        ByUser.Dispose();
        ByCircuit.Dispose();
    }
}
