using Huddle.Silo.Demo;
using Huddle.Silo.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Huddle.Contracts.Common;
using Huddle.Grains.Live;

namespace Huddle.Silo.Hosting;

/// <summary>Everything about hosting Huddle's grains, shared by the standalone silo and the co-hosted web app.</summary>
public static class HuddleSiloExtensions
{
    /// <summary>
    /// Configures a silo for Huddle from configuration: clustering (localhost by default, Redis for
    /// several silos), grain storage (in-memory by default), and demo data when asked for.
    /// </summary>
    public static ISiloBuilder AddHuddleSilo(this ISiloBuilder silo, IConfiguration config)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(config);

        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = config[HuddleConfig.ClusterId] ?? "huddle-dev";
            o.ServiceId = config[HuddleConfig.ServiceId] ?? "huddle";
        });

        var siloPort = config.GetValue(HuddleConfig.SiloPort, EndpointOptions.DEFAULT_SILO_PORT);
        var gatewayPort = config.GetValue(HuddleConfig.GatewayPort, EndpointOptions.DEFAULT_GATEWAY_PORT);
        switch (config[HuddleConfig.ClusteringProvider] ?? "Localhost")
        {
            case var p when p.Equals("Localhost", StringComparison.OrdinalIgnoreCase):
                silo.UseLocalhostClustering(siloPort, gatewayPort);
                break;
            case var p when p.Equals("Redis", StringComparison.OrdinalIgnoreCase):
                silo.UseRedisClustering(RequireConnectionString(config, HuddleConfig.ClusteringConnection));
                silo.ConfigureEndpoints(siloPort, gatewayPort);
                break;
            case var other:
                throw new InvalidOperationException($"{HuddleConfig.ClusteringProvider} '{other}' is not known; use Localhost or Redis.");
        }

        silo.AddHuddleStorage(config);
        silo.Services.TryAddSingleton(HuddleClock.System);
        silo.Services.AddOptions<FeedOptions>().Bind(config.GetSection("Huddle:Feeds"));
        if (config.GetValue(HuddleConfig.SeedDemoData, false))
        {
            silo.Services.AddHostedService<DemoSeeder>();
        }

        return silo;
    }

    internal static string RequireConnectionString(IConfiguration config, string name) =>
        config.GetConnectionString(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"ConnectionStrings:{name} must be set (environment: ConnectionStrings__{name}).");
}
