using System.Globalization;
using System.Threading.RateLimiting;
using Huddle.Contracts.Common;
using Huddle.Web.Auth;
using Huddle.Web.Http;
using Microsoft.AspNetCore.RateLimiting;

namespace Huddle.Web.Security;

/// <summary>Registers the limits and applies them to the API (the hub's are <see cref="HubRateLimitFilter"/>).</summary>
public static class RateLimitsExtensions
{
    public static void AddHuddleRateLimits(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = RateLimitOptions.From(builder.Configuration);
        builder.Services.AddSingleton(new HuddleRateLimits(options));
        builder.Services.AddSingleton<HubRateLimitFilter>();
        builder.Services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            // Signed-in callers only reach /api (the group requires authorization first), so the
            // partition is the user; a request without one shares a partition per remote address.
            o.AddPolicy(HuddleRateLimits.ApiPolicy, context => RateLimitPartition.GetTokenBucketLimiter(
                context.User.Identity?.IsAuthenticated == true ? "u:" + context.User.UserIdOf() : "a:" + context.Connection.RemoteIpAddress,
                _ => RateLimitOptions.Bucket(options.ApiRequestsPerUser)));
            o.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(1);
                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await ApiErrors.Problem(HuddleError.RateLimited("this user", options.ApiRequestsPerUser, retryAfter)).ExecuteAsync(context.HttpContext);
            };
        });
    }
}
