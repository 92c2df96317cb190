using Huddle.Silo.Demo;
using Huddle.Silo.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Huddle.Contracts.Common;
using Huddle.Grains.Chat;
using Huddle.Grains.Handoffs;
using Huddle.Grains.Live;
using Huddle.Grains.Patients;
using Huddle.Grains.Presence;
using Huddle.Grains.Push;

namespace Huddle.Silo.Hosting;

/// <summary>Everything about hosting Huddle's grains, shared by the standalone silo and the co-hosted web app.</summary>
public static class HuddleSiloExtensions
{
    /// <summary>
    /// Configures a silo for Huddle from configuration: clustering (localhost by default, Azure Table
    /// membership for several silos), grain storage and reminders (in-memory by default), the grain
    /// call filter that guards ids, and demo data when asked for.
    /// </summary>
    public static ISiloBuilder AddHuddleSilo(this ISiloBuilder silo, IConfiguration config)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(config);

        silo.Configure<ClusterOptions>(o => Cluster(o, config));
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, WatchdogStartFix>();

        var siloPort = config.GetValue(HuddleConfig.SiloPort, EndpointOptions.DEFAULT_SILO_PORT);
        var gatewayPort = config.GetValue(HuddleConfig.GatewayPort, EndpointOptions.DEFAULT_GATEWAY_PORT);
        switch (config[HuddleConfig.ClusteringProvider] ?? "Localhost")
        {
            case var p when p.Equals("Localhost", StringComparison.OrdinalIgnoreCase):
                silo.UseLocalhostClustering(siloPort, gatewayPort);
                break;
            case var p when p.Equals("AzureTable", StringComparison.OrdinalIgnoreCase):
                var options = HuddleStorageExtensions.TableOptions(config);
                silo.UseAzureStorageClustering(o =>
                {
                    o.TableServiceClient = options.CreateServiceClient();
                    o.TableName = options.ClusteringTableName;
                });
                if (config[HuddleConfig.AdvertisedIP] is { Length: > 0 } advertised)
                {
                    if (!System.Net.IPAddress.TryParse(advertised, out var address))
                    {
                        throw new InvalidOperationException($"{HuddleConfig.AdvertisedIP} '{advertised}' is not an IP address.");
                    }

                    silo.ConfigureEndpoints(address, siloPort, gatewayPort, listenOnAnyHostAddress: true);
                }
                else
                {
                    silo.ConfigureEndpoints(siloPort, gatewayPort);
                }

                break;
            case var other:
                throw new InvalidOperationException($"{HuddleConfig.ClusteringProvider} '{other}' is not known; use Localhost or AzureTable.");
        }

        if (HuddleTls.From(config) is { } tls)
        {
            silo.UseTls(tls.Configure);
        }

        if (config.GetValue(HuddleConfig.DashboardEnabled, false))
        {
            // The dashboard's grains run in every silo; its UI is mapped by the web hosts, for administrators only.
            Orleans.Dashboard.ServiceCollectionExtensions.AddDashboard(silo);
        }

        return silo.AddHuddleGrains(config);
    }

    /// <summary>
    /// What Huddle's grains need in any silo, whatever its clustering (a test cluster uses this
    /// alone): storage and reminders, the grain call filter, tracing of grain calls, the clock,
    /// and demo data when asked for.
    /// </summary>
    public static ISiloBuilder AddHuddleGrains(this ISiloBuilder silo, IConfiguration config)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(config);
        silo.AddHuddleStorage(config);
        silo.AddIncomingGrainCallFilter<HuddleGrainCallFilter>();
        silo.AddIncomingGrainCallFilter<AuditCallFilter>();
        silo.Services.AddPhiLogGuard();
        silo.AddActivityPropagation();
        silo.Services.TryAddSingleton(HuddleClock.System);
        silo.Services.AddOptions<FeedOptions>().Bind(config.GetSection("Huddle:Feeds"));
        silo.Services.AddOptions<PresenceOptions>().Bind(config.GetSection("Huddle:Presence"));
        silo.Services.AddOptions<HandoffOptions>().Bind(config.GetSection("Huddle:Handoffs"))
            .Validate(o => o.OutcomeRetention is null || o.OutcomeRetention >= HandoffOptions.MinOutcomeRetention,
                $"Huddle:Handoffs:OutcomeRetention is at least {HandoffOptions.MinOutcomeRetention.TotalDays} days (the metrics read a month), or empty to keep outcomes for ever.")
            .ValidateOnStart();
        silo.Services.AddOptions<ChatAckOptions>().Bind(config.GetSection("Huddle:Chat"));
        silo.Services.AddOptions<ChatOptions>().Bind(config.GetSection("Huddle:Chat"))
            .Validate(o => o.DeliveryLead >= TimeSpan.Zero && o.DeliveryLead <= ChatOptions.MaxDeliveryLead,
                $"Huddle:Chat:DeliveryLead is between 00:00:00 and {ChatOptions.MaxDeliveryLead:c} (unread counts and receipts move this much after a message).")
            .ValidateOnStart();
        silo.Services.AddOptions<PushOptions>().Bind(config.GetSection("Huddle:Push"))
            .Validate(o => (o.VapidPublicKey is { Length: > 0 }) == (o.VapidPrivateKey is { Length: > 0 }), "Huddle:Push:VapidPublicKey and VapidPrivateKey are set together, or neither (then a pair is generated and kept in storage).")
            .Validate(o => o.Subject.StartsWith("mailto:", StringComparison.Ordinal) || o.Subject.StartsWith("https://", StringComparison.Ordinal), "Huddle:Push:Subject is a mailto: or https: URL (RFC 8292).")
            .ValidateOnStart();
        silo.Services.TryAddSingleton<IPushSender, WebPushSender>();
        silo.Services.AddSingleton<PushHealth>();
        silo.Services.AddSingleton<Huddle.Grains.Live.LocalFeedHosts>();
        silo.Services.AddSingleton<Huddle.Contracts.Live.IFeedHostRegistry>(sp => sp.GetRequiredService<Huddle.Grains.Live.LocalFeedHosts>());
        silo.Services.AddSingleton<PushDispatcher>();
        silo.Services.AddOptions<EmergencyAccessOptions>().Bind(config.GetSection("Huddle:EmergencyAccess"))
            .Validate(o => o.Duration >= TimeSpan.FromMinutes(5) && o.Duration <= TimeSpan.FromHours(24), "Huddle:EmergencyAccess:Duration must be 5 minutes to 24 hours.")
            .ValidateOnStart();
        if (config.GetValue(HuddleConfig.SeedDemoData, false))
        {
            silo.Services.AddHostedService<DemoSeeder>();
        }

        if (config[HuddleConfig.BootstrapAdministrator] is { Length: > 0 } administrator)
        {
            if (!Contracts.Common.Ids.IsValid(administrator))
            {
                throw new InvalidOperationException($"{HuddleConfig.BootstrapAdministrator} is a user id: 1-{Contracts.Common.Ids.MaxLength} letters, digits, '-', '_' or '.'.");
            }

            silo.Services.AddHostedService(sp => new AdministratorBootstrap(sp.GetRequiredService<IGrainFactory>(), administrator,
                config[HuddleConfig.BootstrapAdministratorName] is { Length: > 0 } name ? name : "Administrator",
                sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<AdministratorBootstrap>>()));
        }

        return silo;
    }

    /// <summary>
    /// Connects an Orleans client (a web host in Client mode) to the cluster the silos form:
    /// Azure Table membership, or the localhost gateway.
    /// </summary>
    public static IClientBuilder UseHuddleClustering(this IClientBuilder client, IConfiguration config)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(config);
        client.Configure<ClusterOptions>(o => Cluster(o, config));
        var provider = config[HuddleConfig.ClusteringProvider] ?? "Localhost";
        if (provider.Equals("AzureTable", StringComparison.OrdinalIgnoreCase))
        {
            var options = HuddleStorageExtensions.TableOptions(config);
            client.UseAzureStorageClustering(o =>
            {
                o.TableServiceClient = options.CreateServiceClient();
                o.TableName = options.ClusteringTableName;
            });
        }
        else if (provider.Equals("Localhost", StringComparison.OrdinalIgnoreCase))
        {
            client.UseLocalhostClustering(config.GetValue(HuddleConfig.GatewayPort, EndpointOptions.DEFAULT_GATEWAY_PORT));
        }
        else
        {
            throw new InvalidOperationException($"{HuddleConfig.ClusteringProvider} '{provider}' is not known; use Localhost or AzureTable.");
        }

        if (HuddleTls.From(config) is { } tls)
        {
            client.UseTls(tls.Configure);
        }

        client.AddActivityPropagation();
        if (config.GetValue(HuddleConfig.DashboardEnabled, false))
        {
            Orleans.Dashboard.ServiceCollectionExtensions.AddDashboard(client);
        }

        return client;
    }

    /// <summary>The cluster and service ids every silo and client of one deployment share.</summary>
    private static void Cluster(ClusterOptions options, IConfiguration config)
    {
        options.ClusterId = config[HuddleConfig.ClusterId] ?? "huddle-dev";
        options.ServiceId = config[HuddleConfig.ServiceId] ?? "huddle";
    }

    internal static string RequireConnectionString(IConfiguration config, string name) =>
        config.GetConnectionString(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"ConnectionStrings:{name} must be set (environment: ConnectionStrings__{name}).");
}
