using Huddle.Silo.Storage;
using Huddle.Storage.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Storage;
using Huddle.Grains.Common;

namespace Huddle.Storage.Tests;

/// <summary>What configuration selects, resolved from a silo's services (built, not started).</summary>
public sealed class StorageRegistrationTests
{
    private static readonly Dictionary<string, string?> AzureTable = new()
    {
        ["Huddle:Storage:Provider"] = "AzureTable",
        ["ConnectionStrings:HuddleStorage"] = "UseDevelopmentStorage=true",
    };

    [Fact]
    public void Huddle_stores_state_with_the_orleans_binary_serializer_whatever_orleans_defaults_to()
    {
        // Pinned so that a change of serializer, which would make stored rows unreadable, is a
        // deliberate decision and never a side effect of an Orleans upgrade.
        using var host = ConfiguredStorage.Build(AzureTable);
        Assert.IsType<OrleansGrainStorageSerializer>(host.Services.GetRequiredService<IGrainStorageSerializer>());
        Assert.IsType<OrleansGrainStorageSerializer>(host.Services.GetRequiredService<IOptionsMonitor<AzureTableStorageOptions>>().Get(StorageNames.Huddle).GrainStorageSerializer);
    }

    [Fact]
    public void Memory_is_the_default_with_history_and_reminders_in_memory()
    {
        using var host = ConfiguredStorage.Build(new Dictionary<string, string?>());

        Assert.IsNotType<HuddleGrainStorage>(host.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Huddle));
        Assert.IsType<MemoryGrainHistoryStore>(host.Services.GetRequiredService<IGrainHistoryStore>());
        Assert.Equal("InMemoryReminderTable", host.Services.GetRequiredService<Orleans.IReminderTable>().GetType().Name);
    }

    [Fact]
    public void AzureTable_is_orleans_own_provider_behind_huddles_cover_with_reminders_beside_it()
    {
        var settings = new Dictionary<string, string?>(AzureTable)
        {
            ["Huddle:Storage:AzureTable:TableName"] = "CareState",
            ["Huddle:Storage:AzureTable:NetworkTimeout"] = "00:00:03",
            ["Huddle:Storage:AzureTable:MaxRetries"] = "4",
        };
        using var host = ConfiguredStorage.Build(settings);

        var storage = Assert.IsType<HuddleGrainStorage>(host.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Huddle));
        Assert.IsType<AzureTableGrainStorage>(storage.Inner);
        var provider = host.Services.GetRequiredService<IOptionsMonitor<AzureTableStorageOptions>>().Get(StorageNames.Huddle);
        Assert.Equal("CareState", provider.TableName);
        Assert.NotNull(provider.TableServiceClient);
        var options = host.Services.GetRequiredService<HuddleTableStorageOptions>();
        Assert.Equal(TimeSpan.FromSeconds(3), options.NetworkTimeout);
        Assert.Equal(4, options.MaxRetries);
        Assert.IsType<AzureTableGrainHistoryStore>(host.Services.GetRequiredService<IGrainHistoryStore>());
        Assert.Equal("AzureBasedReminderTable", host.Services.GetRequiredService<Orleans.IReminderTable>().GetType().Name);
    }

    [Fact]
    public void AzureTable_without_a_connection_string_stops_the_silo_with_the_setting_to_fix()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => ConfiguredStorage.Build(new Dictionary<string, string?> { ["Huddle:Storage:Provider"] = "AzureTable" }));

        Assert.Contains("ConnectionStrings__HuddleStorage", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_provider_is_refused()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => ConfiguredStorage.Build(new Dictionary<string, string?> { ["Huddle:Storage:Provider"] = "Cosmos" }));

        Assert.Contains("Memory or AzureTable", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_invalid_table_name_is_refused_with_azures_rule()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => ConfiguredStorage.Build(new Dictionary<string, string?>(AzureTable) { ["Huddle:Storage:AzureTable:TableName"] = "huddle-state" }));

        Assert.Contains("3-63 letters and digits", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Timeouts_that_could_outlast_the_grain_call_timeout_are_refused()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => ConfiguredStorage.Build(new Dictionary<string, string?>(AzureTable) { ["Huddle:Storage:AzureTable:NetworkTimeout"] = "00:00:20" }));

        Assert.Contains("past Orleans' 30 s grain call timeout", ex.Message, StringComparison.Ordinal);
    }
}
