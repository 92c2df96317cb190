using Azure.Data.Tables;
using Huddle.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using Huddle.Grains.Common;

namespace Huddle.Silo.Storage;

/// <summary>Chooses grain storage, history pages and reminders from configuration.</summary>
public static class HuddleStorageExtensions
{
    /// <summary>
    /// Registers the "huddle" grain storage, its <see cref="IGrainHistoryStore"/> and the reminder
    /// service: <c>Memory</c> (default, not durable) or <c>AzureTable</c> (Orleans' own Azure Table
    /// providers; connection string <c>ConnectionStrings:HuddleStorage</c>, settings under
    /// <c>Huddle:Storage:AzureTable</c>).
    /// </summary>
    public static ISiloBuilder AddHuddleStorage(this ISiloBuilder silo, IConfiguration config)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(config);
        // State is written with Orleans' own binary serializer rather than its default Newtonsoft
        // JSON one: every board change is a state write, and the binary form is several times
        // cheaper to produce and smaller to store (issue 4's benchmark). It stays version tolerant
        // because every persisted type carries explicit [Id]s and a stable [Alias]. (The provider's
        // string format would also silently truncate past 491,520 characters.)
        silo.Services.AddSingleton<IGrainStorageSerializer, OrleansGrainStorageSerializer>();
        var provider = config[HuddleConfig.StorageProvider] ?? "Memory";
        if (provider.Equals("Memory", StringComparison.OrdinalIgnoreCase))
        {
            silo.AddMemoryGrainStorage(StorageNames.Huddle);
            silo.Services.AddKeyedSingleton<IGrainHistoryStore>(StorageNames.Huddle, (sp, _) =>
                new MemoryGrainHistoryStore(sp.GetRequiredService<IGrainStorageSerializer>(), sp.GetRequiredService<IOptions<ClusterOptions>>().Value));
            silo.Services.TryAddSingleton(sp => sp.GetRequiredKeyedService<IGrainHistoryStore>(StorageNames.Huddle));
            silo.UseInMemoryReminderService();
            silo.Services.AddHostedService<MemoryStorageWarning>();
            return silo;
        }

        if (provider.Equals("AzureTable", StringComparison.OrdinalIgnoreCase))
        {
            var options = TableOptions(config);
            var tables = options.CreateServiceClient();
            silo.Services.AddSingleton(options);
            silo.AddAzureTableGrainStorage(StorageNames.Huddle, o =>
            {
                o.TableServiceClient = tables;
                o.TableName = options.TableName;
                o.DeleteStateOnClear = options.DeleteStateOnClear;
            });

            // Replaces the provider's own registration (the last keyed one wins). Orleans' lifecycle
            // registration resolves this name too, so the wrapper hands Participate on to it.
            silo.Services.AddKeyedSingleton<IGrainStorage>(StorageNames.Huddle, (sp, name) => CreateGrainStorage(sp, (string)name!));
            silo.Services.AddKeyedSingleton<IGrainHistoryStore>(StorageNames.Huddle, (sp, _) => new AzureTableGrainHistoryStore(
                tables.GetTableClient(options.HistoryTableName),
                sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId,
                sp.GetRequiredService<IGrainStorageSerializer>()));
            silo.Services.TryAddSingleton(sp => sp.GetRequiredKeyedService<IGrainHistoryStore>(StorageNames.Huddle));
            silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp =>
                (AzureTableGrainHistoryStore)sp.GetRequiredKeyedService<IGrainHistoryStore>(StorageNames.Huddle));
            silo.UseAzureTableReminderService(o =>
            {
                o.TableServiceClient = tables;
                o.TableName = options.RemindersTableName;
            });
            silo.Services.AddHostedService(sp => new DurableStorageBanner(tables.Uri, options, sp.GetRequiredService<ILogger<DurableStorageBanner>>()));
            return silo;
        }

        throw new InvalidOperationException($"{HuddleConfig.StorageProvider} '{provider}' is not known; use Memory or AzureTable.");
    }

    /// <summary>
    /// The storage account settings from configuration, the connection string required. Refuses
    /// settings whose worst-case call would outlast Orleans' grain call timeout.
    /// </summary>
    public static HuddleTableStorageOptions TableOptions(IConfiguration config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var options = new HuddleTableStorageOptions();
        config.GetSection(HuddleTableStorageOptions.Section).Bind(options);
        options.ConnectionString = HuddleSiloExtensions.RequireConnectionString(config, HuddleConfig.StorageConnection);
        foreach (var table in new[] { options.TableName, options.HistoryTableName, options.RemindersTableName, options.ClusteringTableName })
        {
            if (!System.Text.RegularExpressions.Regex.IsMatch(table, "^[A-Za-z][A-Za-z0-9]{2,62}$"))
            {
                throw new InvalidOperationException($"Table name '{table}' is not valid in Azure: 3-63 letters and digits, starting with a letter.");
            }
        }

        if (options.WorstCaseCall >= TimeSpan.FromSeconds(30))
        {
            throw new InvalidOperationException(
                $"{HuddleTableStorageOptions.Section}: a storage call could take {options.WorstCaseCall.TotalSeconds:0.#} s (NetworkTimeout x (MaxRetries + 1) + MaxRetryDelay x MaxRetries), past Orleans' 30 s grain call timeout. Lower them.");
        }

        return options;
    }

    /// <summary>Orleans' Azure Table provider for <paramref name="name"/>, with Huddle's cover (<see cref="HuddleGrainStorage"/>).</summary>
    internal static IGrainStorage CreateGrainStorage(IServiceProvider services, string name) =>
        new HuddleGrainStorage(AzureTableGrainStorageFactory.Create(services, name), services.GetRequiredService<HuddleTableStorageOptions>().TableName);

    /// <summary>Says at start where durable state lives: the account's endpoint (never its key) and the tables.</summary>
    private sealed class DurableStorageBanner(Uri endpoint, HuddleTableStorageOptions options, ILogger<DurableStorageBanner> logger) : Microsoft.Extensions.Hosting.IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            logger.LogInformation("State is durable: Azure Table storage at {Endpoint}, tables {StateTable} (grain state), {HistoryTable} (history), {RemindersTable} (reminders)",
                endpoint.GetLeftPart(UriPartial.Path), options.TableName, options.HistoryTableName, options.RemindersTableName);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

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
