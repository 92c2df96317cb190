using Huddle.Grains.Common;
using Huddle.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Huddle.Silo.Storage;

/// <summary>Chooses the grain storage provider from configuration.</summary>
public static class HuddleStorageExtensions
{
    /// <summary>
    /// Registers the "huddle" grain storage: <c>Memory</c> (default, not durable) or <c>AzureTable</c>.
    /// </summary>
    public static ISiloBuilder AddHuddleStorage(this ISiloBuilder silo, IConfiguration config)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(config);
        var provider = config[HuddleConfig.StorageProvider] ?? "Memory";
        if (provider.Equals("Memory", StringComparison.OrdinalIgnoreCase))
        {
            silo.AddMemoryGrainStorage(StorageNames.Huddle);
            silo.Services.AddHostedService<MemoryStorageWarning>();
            return silo;
        }

        throw new InvalidOperationException($"{HuddleConfig.StorageProvider} '{provider}' is not known; use Memory or AzureTable.");
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
