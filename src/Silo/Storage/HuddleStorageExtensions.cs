using Huddle.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using Huddle.Grains.Common;

namespace Huddle.Silo.Storage;

/// <summary>Chooses the grain storage provider from configuration.</summary>
public static class HuddleStorageExtensions
{
    /// <summary>
    /// Registers the "huddle" grain storage and its <see cref="IGrainHistoryStore"/>:
    /// <c>Memory</c> (default, not durable) or <c>AzureTable</c> (connection string
    /// <c>ConnectionStrings:HuddleStorage</c>, settings under <c>Huddle:Storage:AzureTable</c>).
    /// </summary>
    public static ISiloBuilder AddHuddleStorage(this ISiloBuilder silo, IConfiguration config)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(config);
        // State is written with Orleans' own binary serializer rather than its default Newtonsoft
        // JSON one: every board change is a state write, and the binary form is several times
        // cheaper to produce and smaller to store (issue 4's benchmark). It stays version tolerant
        // because every persisted type carries explicit [Id]s and a stable [Alias].
        silo.Services.AddSingleton<IGrainStorageSerializer, OrleansGrainStorageSerializer>();
        var provider = config[HuddleConfig.StorageProvider] ?? "Memory";
        if (provider.Equals("Memory", StringComparison.OrdinalIgnoreCase))
        {
            silo.AddMemoryGrainStorage(StorageNames.Huddle);
            silo.Services.AddKeyedSingleton<IGrainHistoryStore>(StorageNames.Huddle, (sp, _) =>
                new MemoryGrainHistoryStore(ServiceId(sp), ConfiguredSerializer(sp, StorageNames.Huddle)));
            silo.Services.TryAddSingleton(sp => sp.GetRequiredKeyedService<IGrainHistoryStore>(StorageNames.Huddle));
            silo.Services.AddHostedService<MemoryStorageWarning>();
            return silo;
        }

        if (provider.Equals("AzureTable", StringComparison.OrdinalIgnoreCase))
        {
            var connectionString = HuddleSiloExtensions.RequireConnectionString(config, HuddleConfig.StorageConnection);
            var section = config.GetSection(HuddleTableStorageOptions.Section);
            return silo.AddHuddleTableStorage(StorageNames.Huddle, options =>
            {
                section.Bind(options);
                options.ConnectionString = connectionString;
            });
        }

        throw new InvalidOperationException($"{HuddleConfig.StorageProvider} '{provider}' is not known; use Memory or AzureTable.");
    }

    /// <summary>
    /// Registers Huddle's Azure Table grain storage under <paramref name="name"/>, with an
    /// <see cref="IGrainHistoryStore"/> on the same table. The table is created at silo start.
    /// </summary>
    public static ISiloBuilder AddHuddleTableStorage(this ISiloBuilder silo, string name, Action<HuddleTableStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);
        var services = silo.Services;
        services.AddOptions<HuddleTableStorageOptions>(name).Configure(configure);

        // Fills GrainStorageSerializer from Orleans' configuration when the options leave it unset.
        services.AddTransient<IPostConfigureOptions<HuddleTableStorageOptions>, DefaultStorageProviderSerializerOptionsConfigurator<HuddleTableStorageOptions>>();
        services.AddKeyedSingleton<HuddleTable>(name, (sp, _) =>
            new HuddleTable(sp.GetRequiredService<IOptionsMonitor<HuddleTableStorageOptions>>().Get(name), sp.GetRequiredService<ILogger<HuddleTable>>()));
        services.AddGrainStorage(name, (sp, n) => new AzureTableGrainStorage(
            n,
            ServiceId(sp),
            sp.GetRequiredService<IOptionsMonitor<HuddleTableStorageOptions>>().Get(n),
            sp.GetRequiredKeyedService<HuddleTable>(n),
            sp.GetRequiredService<IActivatorProvider>(),
            sp.GetRequiredService<ILogger<AzureTableGrainStorage>>()));
        services.AddKeyedSingleton<IGrainHistoryStore>(name, (sp, _) => new AzureTableGrainHistoryStore(
            sp.GetRequiredKeyedService<HuddleTable>(name),
            ServiceId(sp),
            sp.GetRequiredService<IOptionsMonitor<HuddleTableStorageOptions>>().Get(name).GrainStorageSerializer));
        services.TryAddSingleton(sp => sp.GetRequiredKeyedService<IGrainHistoryStore>(name));
        return silo;
    }

    private static string ServiceId(IServiceProvider services) =>
        services.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId;

    // The same choice Orleans makes for its own providers: a serializer registered under the
    // provider's name, else the silo-wide default.
    private static IGrainStorageSerializer ConfiguredSerializer(IServiceProvider services, string name) =>
        services.GetKeyedService<IGrainStorageSerializer>(name) ?? services.GetRequiredService<IGrainStorageSerializer>();

    /// <summary>Says loudly, at start, that nothing will survive a restart.</summary>
    private sealed class MemoryStorageWarning(ILogger<MemoryStorageWarning> logger) : Microsoft.Extensions.Hosting.IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            logger.LogWarning("STATE IS NOT DURABLE: grain storage is in memory; every board change is lost when this process stops. Set Huddle:Storage:Provider=AzureTable for durable state.");
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
