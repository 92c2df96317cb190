using Huddle.Silo.Storage;
using Huddle.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Storage;
using Huddle.Grains.Common;

namespace Huddle.Storage.Tests.Infrastructure;

/// <summary>
/// The "huddle" grain storage and history store exactly as a silo configured for AzureTable gets
/// them (Orleans' provider with Huddle's cover), started as silo start would start them (tables
/// created), without the cost of a cluster. Each one has tables of its own.
/// </summary>
internal sealed class ConfiguredStorage : IDisposable
{
    private readonly IHost _host;

    private ConfiguredStorage(IHost host, IReadOnlyDictionary<string, string?> settings)
    {
        _host = host;
        Settings = settings;
    }

    public IReadOnlyDictionary<string, string?> Settings { get; }

    public IGrainStorage Storage => _host.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Huddle);

    public IGrainHistoryStore History => _host.Services.GetRequiredService<IGrainHistoryStore>();

    public string TableName => Settings["Huddle:Storage:AzureTable:TableName"]!;

    public static async Task<ConfiguredStorage> StartAsync(AzuriteServer server, Action<Dictionary<string, string?>>? configure = null)
    {
        var settings = HuddleTestCluster.AzureTableConfig(server);
        configure?.Invoke(settings);
        var host = Build(settings);
        var storage = new ConfiguredStorage(host, settings);
        var lifecycle = new StartOnlyLifecycle();
        ((ILifecycleParticipant<ISiloLifecycle>)storage.Storage).Participate(lifecycle);
        ((ILifecycleParticipant<ISiloLifecycle>)storage.History).Participate(lifecycle);

        await lifecycle.StartAsync(TestContext.Current.CancellationToken);
        return storage;
    }

    /// <summary>A second storage on the same tables, as another silo (or the next silo run) would have.</summary>
    public async Task<ConfiguredStorage> AnotherSiloAsync(AzuriteServer server) =>
        await StartAsync(server, s =>
        {
            foreach (var (key, value) in Settings)
            {
                s[key] = value;
            }
        });

    /// <summary>A silo's services with <paramref name="settings"/>, built but never started.</summary>
    public static IHost Build(IReadOnlyDictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering();
            silo.AddHuddleStorage(builder.Configuration);
        });
        return builder.Build();
    }

    /// <summary>A fresh grain id of a test grain type.</summary>
    public static GrainId NewGrainId(string? key = null) => GrainId.Create("test", key ?? Guid.NewGuid().ToString("N"));

    public void Dispose() => _host.Dispose();

    /// <summary>Runs the start of what subscribed, stage by stage, as a silo does.</summary>
    private sealed class StartOnlyLifecycle : ISiloLifecycle
    {
        private readonly List<(int Stage, ILifecycleObserver Observer)> _observers = [];

        public int HighestCompletedStage { get; private set; }

        public int LowestStoppedStage { get; private set; }

        public IDisposable Subscribe(string observerName, int stage, ILifecycleObserver observer)
        {
            _observers.Add((stage, observer));
            return new NoOp();
        }

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            foreach (var (stage, observer) in _observers.OrderBy(o => o.Stage))
            {
                await observer.OnStart(cancellationToken);
                HighestCompletedStage = stage;
            }
        }

        private sealed class NoOp : IDisposable
        {
            public void Dispose()
            {
            }
        }
    }
}
