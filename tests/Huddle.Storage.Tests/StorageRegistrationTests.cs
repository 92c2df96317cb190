using Huddle.Silo.Storage;
using Huddle.Storage.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Storage;
using Huddle.Grains.Common;

namespace Huddle.Storage.Tests;

/// <summary>What configuration selects, resolved from a silo's services (built, not started).</summary>
public sealed class StorageRegistrationTests
{
    [Fact]
    public void Huddle_stores_state_with_the_orleans_binary_serializer_whatever_orleans_defaults_to()
    {
        // Pinned so that a change of serializer, which would make stored rows unreadable, is a
        // deliberate decision and never a side effect of an Orleans upgrade.
        using var host = BuildSilo([]);
        Assert.IsType<OrleansGrainStorageSerializer>(host.Services.GetRequiredService<IGrainStorageSerializer>());
    }

    [Fact]
    public void Memory_is_the_default_and_keeps_history_in_memory()
    {
        using var host = BuildSilo([]);

        Assert.IsNotType<AzureTableGrainStorage>(host.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Huddle));
        Assert.IsType<MemoryGrainHistoryStore>(host.Services.GetRequiredService<IGrainHistoryStore>());
    }

    [Fact]
    public void AzureTable_binds_its_settings_and_uses_orleans_configured_serializer()
    {
        using var host = BuildSilo(new()
        {
            ["Huddle:Storage:Provider"] = "AzureTable",
            ["ConnectionStrings:HuddleStorage"] = "UseDevelopmentStorage=true",
            ["Huddle:Storage:AzureTable:TableName"] = "CareState",
            ["Huddle:Storage:AzureTable:DeleteStateOnClear"] = "true",
            ["Huddle:Storage:AzureTable:OperationTimeout"] = "00:00:07",
            ["Huddle:Storage:AzureTable:MaxRetries"] = "5",
        });

        var storage = Assert.IsType<AzureTableGrainStorage>(host.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Huddle));
        var options = host.Services.GetRequiredService<IOptionsMonitor<HuddleTableStorageOptions>>().Get(StorageNames.Huddle);
        Assert.Equal("CareState", storage.Table.TableName);
        Assert.True(options.DeleteStateOnClear);
        Assert.Equal(TimeSpan.FromSeconds(7), options.OperationTimeout);
        Assert.Equal(5, options.MaxRetries);
        Assert.Same(host.Services.GetRequiredService<IGrainStorageSerializer>(), options.GrainStorageSerializer);
        Assert.IsType<AzureTableGrainHistoryStore>(host.Services.GetRequiredService<IGrainHistoryStore>());
    }

    [Fact]
    public void AzureTable_without_a_connection_string_stops_the_silo_with_the_setting_to_fix()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => BuildSilo(new() { ["Huddle:Storage:Provider"] = "AzureTable" }));

        Assert.Contains("ConnectionStrings__HuddleStorage", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_provider_is_refused()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => BuildSilo(new() { ["Huddle:Storage:Provider"] = "Cosmos" }));

        Assert.Contains("Memory or AzureTable", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_invalid_table_name_is_refused_with_azures_rule()
    {
        using var host = BuildSilo(new()
        {
            ["Huddle:Storage:Provider"] = "AzureTable",
            ["ConnectionStrings:HuddleStorage"] = "UseDevelopmentStorage=true",
            ["Huddle:Storage:AzureTable:TableName"] = "huddle-state",
        });

        var ex = Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Huddle));
        Assert.Contains("3-63 letters and digits", ex.Message, StringComparison.Ordinal);
    }

    private static IHost BuildSilo(Dictionary<string, string?> settings)
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
}
