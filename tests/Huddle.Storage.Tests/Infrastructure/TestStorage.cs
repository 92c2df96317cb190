using Huddle.Silo.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Storage;

namespace Huddle.Storage.Tests.Infrastructure;

/// <summary>Builds Huddle's table grain storage against an emulator, with a table of its own.</summary>
internal static class TestStorage
{
    public const string ServiceId = "huddle-test";

    /// <summary>Options pointing at <paramref name="server"/>, a fresh table, and Orleans' default serializer.</summary>
    public static HuddleTableStorageOptions Options(AzuriteServer server, Action<HuddleTableStorageOptions>? configure = null)
    {
        var options = new HuddleTableStorageOptions
        {
            ConnectionString = server.ConnectionString,
            TableName = "t" + Guid.NewGuid().ToString("N"),
            GrainStorageSerializer = OrleansServices.Serializer,
        };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>A started grain storage (its table created, as at silo start).</summary>
    public static async Task<AzureTableGrainStorage> CreateAsync(AzuriteServer server, Action<HuddleTableStorageOptions>? configure = null)
    {
        var options = Options(server, configure);
        var storage = Create(options);
        await storage.InitializeAsync(TestContext.Current.CancellationToken);
        return storage;
    }

    /// <summary>A second storage on the same table, as another silo (or the next silo run) would have.</summary>
    public static AzureTableGrainStorage Create(HuddleTableStorageOptions options) =>
        new("huddle", ServiceId, options, new HuddleTable(options, NullLogger.Instance), OrleansServices.Activators, NullLogger<AzureTableGrainStorage>.Instance);

    /// <summary>The history store on the same table as <paramref name="storage"/>.</summary>
    public static AzureTableGrainHistoryStore HistoryOf(AzureTableGrainStorage storage, IGrainStorageSerializer serializer) =>
        new(storage.Table, ServiceId, serializer);

    /// <summary>A fresh grain id of a test grain type.</summary>
    public static GrainId NewGrainId(string? key = null) => GrainId.Create("test", key ?? Guid.NewGuid().ToString("N"));
}
