using System.Threading.RateLimiting;

namespace Huddle.Web.Security;

/// <summary>
/// The limiters of one web host: hub calls by connection and by user, and the API policy by user.
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
    }

    public RateLimitOptions Options { get; }

    /// <summary>Hub calls, by connection id.</summary>
    public PartitionedRateLimiter<string> ByConnection { get; }

    /// <summary>Hub calls, by user id.</summary>
    public PartitionedRateLimiter<string> ByUser { get; }

    public void Dispose()
    {
        ByConnection.Dispose();
        ByUser.Dispose();
    }
}
