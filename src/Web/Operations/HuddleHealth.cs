using Huddle.Silo.Hosting;
using Huddle.Silo.Storage;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Huddle.Web.Operations;

/// <summary>
/// <c>/health/live</c>: the process answers (no dependency checked, so a storage outage never gets
/// a host restarted). <c>/health/ready</c>: this host can serve — storage answers and the cluster
/// has at least one active silo this host can reach.
/// </summary>
public static class HuddleHealth
{
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";

    /// <summary>How push services have answered lately; never part of readiness (pings still reach open pages).</summary>
    public const string PushPath = "/health/push";
    private const string ReadyTag = "ready";
    private const string PushTag = "push";

    /// <summary>Registers the readiness checks.</summary>
    public static void AddHuddleHealth(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var checks = builder.Services.AddHealthChecks()
            .AddCheck<ClusterMembershipCheck>("cluster", tags: [ReadyTag])
            .AddCheck<PushServicesCheck>("push", tags: [PushTag]);
        if ((builder.Configuration[HuddleConfig.StorageProvider] ?? "Memory").Equals("AzureTable", StringComparison.OrdinalIgnoreCase))
        {
            var options = HuddleStorageExtensions.TableOptions(builder.Configuration);
            var tables = options.CreateServiceClient();
            checks.AddAsyncCheck("storage", async ct =>
            {
                try
                {
                    await foreach (var _ in tables.QueryAsync(t => t.Name == options.TableName, maxPerPage: 1, cancellationToken: ct).AsPages().WithCancellation(ct))
                    {
                        break;
                    }

                    return HealthCheckResult.Healthy();
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    return HealthCheckResult.Unhealthy("Azure Table storage did not answer.");
                }
            }, tags: [ReadyTag]);
        }
    }

    /// <summary>Maps both endpoints, anonymous: load balancers and orchestrators call them.</summary>
    public static void MapHuddleHealth(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag) }).AllowAnonymous();
        app.MapHealthChecks(PushPath, new HealthCheckOptions { Predicate = c => c.Tags.Contains(PushTag) }).AllowAnonymous();
    }

    /// <summary>
    /// Degraded after <see cref="Grains.Push.PushHealth.DegradedAfter"/> failed tries in a row with no success since, as
    /// the silo in this process saw them (a web host in Client mode has none: its silos' metrics tell).
    /// </summary>
    private sealed class PushServicesCheck(IServiceProvider services) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (services.GetService<Grains.Push.PushHealth>() is not { } health)
            {
                return Task.FromResult(HealthCheckResult.Healthy("No silo in this process; see the silos' huddle.push.sends metric."));
            }

            var (failures, lastSuccess, lastFailure) = health.Now();
            var data = new Dictionary<string, object>
            {
                ["failuresInARow"] = failures,
                ["lastSuccess"] = lastSuccess?.ToString("O") ?? "",
                ["lastFailure"] = lastFailure?.ToString("O") ?? "",
            };
            return Task.FromResult(failures >= Grains.Push.PushHealth.DegradedAfter
                ? HealthCheckResult.Degraded($"{failures} pushes in a row failed; pings reach open pages only.", data: data)
                : HealthCheckResult.Healthy("Push services answer.", data));
        }
    }

    /// <summary>Healthy when the cluster reports at least one active silo.</summary>
    private sealed class ClusterMembershipCheck(IGrainFactory grains) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                var hosts = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
                return hosts.Count > 0
                    ? HealthCheckResult.Healthy($"{hosts.Count} active silo(s).")
                    : HealthCheckResult.Unhealthy("No active silo in the cluster.");
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return HealthCheckResult.Unhealthy("The cluster could not be reached.");
            }
        }
    }
}
