using System.Globalization;
using System.Threading.RateLimiting;

namespace Huddle.Web.Security;

/// <summary>
/// How many hub calls and API requests one connection and one user may make (docs/security.md, "Rate
/// limits"), from <c>Huddle:Security:RateLimits</c>. Each is a rate a minute with a burst of the same
/// size: a client that has been quiet may spend a minute's calls at once (a reconnect resuming its
/// feeds, a nurse catching up on chat), then gets one more every 60 s / rate. The defaults follow the
/// OWASP WebSocket cheat sheet's starting point (about 100 messages a minute per connection); a user's
/// connections together (phone, desk, EHR widget) may make three times that.
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "Huddle:Security:RateLimits";

    /// <summary>The most a setting may be: a minute's burst that large is no limit at all.</summary>
    public const int Max = 1_000_000;

    /// <summary>Hub calls a minute on one connection.</summary>
    public int HubCallsPerConnection { get; set; } = 100;

    /// <summary>Hub calls a minute by one user over all their connections, on one web host.</summary>
    public int HubCallsPerUser { get; set; } = 300;

    /// <summary>Requests a minute to <c>/api</c> by one user, on one web host.</summary>
    public int ApiRequestsPerUser { get; set; } = 300;

    /// <summary>
    /// Calls a minute by one user's pages together, on one web host: their Blazor circuits (a page's own
    /// connection: its events, render acknowledgements and JavaScript replies; 2-3 calls per key typed).
    /// Over it a call waits for its turn instead of being refused: Blazor takes a refused event as lost
    /// input and a refused acknowledgement stops the page's updates. The default is 50 calls a second held
    /// for a minute, more than twice a fast typist's.
    /// </summary>
    public int CircuitCallsPerUser { get; set; } = 3_000;

    /// <summary>Reads the section; a value outside 1-<see cref="Max"/> stops the start with the setting's name.</summary>
    public static RateLimitOptions From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(Section).Get<RateLimitOptions>() ?? new RateLimitOptions();
        foreach (var (name, value) in new[]
                 {
                     (nameof(HubCallsPerConnection), options.HubCallsPerConnection),
                     (nameof(HubCallsPerUser), options.HubCallsPerUser),
                     (nameof(ApiRequestsPerUser), options.ApiRequestsPerUser),
                     (nameof(CircuitCallsPerUser), options.CircuitCallsPerUser),
                 })
        {
            if (value is < 1 or > Max)
            {
                throw new InvalidOperationException($"{Section}:{name} is {value.ToString(CultureInfo.InvariantCulture)}; it is calls a minute, 1-{Max.ToString(CultureInfo.InvariantCulture)}.");
            }
        }

        return options;
    }

    /// <summary>
    /// A token bucket of <paramref name="perMinute"/> tokens, refilled at that rate. Replenished by the
    /// partitioned limiter's own 100 ms heartbeat (no timer per connection), so a period is never under
    /// 100 ms: above 600 a minute, each period adds several tokens. Up to <paramref name="queue"/> calls
    /// over it wait for tokens, oldest first; 0: none waits, each is refused.
    /// </summary>
    public static TokenBucketRateLimiterOptions Bucket(int perMinute, int queue = 0)
    {
        var perPeriod = Math.Max(1, (int)Math.Ceiling(perMinute / 600.0));
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = perMinute,
            TokensPerPeriod = perPeriod,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1) * perPeriod / perMinute,
            QueueLimit = queue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = false,
        };
    }
}
