using Xunit;

namespace Huddle.Testing;

/// <summary>
/// Two web hosts, each co-hosting a silo, joined into one Orleans cluster through Azure Table
/// membership on Azurite, with state on the same account: the scale-out shape, where a board's
/// grain lives on one host and its watchers on both.
/// </summary>
public sealed class HuddleAzureClusterFixture : IAsyncLifetime
{
    public AzuriteServer Azurite { get; private set; } = default!;

    public HuddleAppFixture First { get; private set; } = default!;

    public HuddleAppFixture Second { get; private set; } = default!;

    public async ValueTask InitializeAsync()
    {
        Azurite = await AzuriteServer.StartAsync(TestContext.Current.CancellationToken);
        var settings = ClusterSettings(Azurite, "Multi" + Guid.NewGuid().ToString("N")[..12]);
        First = await StartMemberAsync(settings);
        Second = await StartMemberAsync(settings);
    }

    /// <summary>The settings every member of one cluster shares: membership and state on <paramref name="azurite"/>.</summary>
    public static Dictionary<string, string?> ClusterSettings(AzuriteServer azurite, string tables)
    {
        ArgumentNullException.ThrowIfNull(azurite);
        return new()
        {
            ["Huddle:Clustering:Provider"] = "AzureTable",
            ["Huddle:Storage:Provider"] = "AzureTable",
            ["ConnectionStrings:HuddleStorage"] = azurite.ConnectionString,
            ["Huddle:Storage:AzureTable:TableName"] = tables,
            ["Huddle:Storage:AzureTable:HistoryTableName"] = tables + "H",
            ["Huddle:Storage:AzureTable:RemindersTableName"] = tables + "R",
            ["Huddle:Storage:AzureTable:ClusteringTableName"] = tables + "M",
            ["Huddle:Orleans:ClusterId"] = $"test-{Guid.NewGuid():N}",
        };
    }

    public async ValueTask DisposeAsync()
    {
        if (Second is not null)
        {
            await Second.DisposeAsync();
        }

        if (First is not null)
        {
            await First.DisposeAsync();
        }

        if (Azurite is not null)
        {
            await Azurite.DisposeAsync();
        }
    }

    private static async Task<HuddleAppFixture> StartMemberAsync(Dictionary<string, string?> cluster)
    {
        var app = new HuddleClusterMemberApp(new(cluster)
        {
            ["Huddle:Orleans:SiloPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Huddle:Orleans:GatewayPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        await app.InitializeAsync();
        return app;
    }
}
