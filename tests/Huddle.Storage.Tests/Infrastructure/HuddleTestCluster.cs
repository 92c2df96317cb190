using Huddle.Silo.Hosting;
using Huddle.Testing;
using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;
using Huddle.Contracts.CareTeams;

namespace Huddle.Storage.Tests.Infrastructure;

/// <summary>
/// A one-silo <see cref="InProcessTestCluster"/> whose grains are set up exactly as the real silo's
/// (<see cref="HuddleSiloExtensions.AddHuddleGrains"/>: storage from configuration, the grain call
/// filter). Starting a second one with the same service id and storage is a silo restart.
/// </summary>
internal static class HuddleTestCluster
{
    /// <summary>Configuration for the AzureTable provider on <paramref name="server"/>, with tables of its own.</summary>
    public static Dictionary<string, string?> AzureTableConfig(AzuriteServer server)
    {
        var name = "t" + Guid.NewGuid().ToString("N")[..20];
        return new()
        {
            ["Huddle:Storage:Provider"] = "AzureTable",
            ["ConnectionStrings:HuddleStorage"] = server.ConnectionString,
            ["Huddle:Storage:AzureTable:TableName"] = name,
            ["Huddle:Storage:AzureTable:HistoryTableName"] = name + "h",
            ["Huddle:Storage:AzureTable:RemindersTableName"] = name + "r",
        };
    }

    /// <summary>Starts the cluster; <paramref name="configure"/> runs after Huddle's own silo setup.</summary>
    public static async Task<InProcessTestCluster> StartAsync(string serviceId, IReadOnlyDictionary<string, string?> settings, Action<ISiloBuilder>? configure = null)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ServiceId = serviceId;
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddHuddleGrains(config);
            configure?.Invoke(silo);
        });
        var cluster = builder.Build();
        try
        {
            await cluster.DeployAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>A care team with one clinician, in UTC.</summary>
    public static CareTeamProfile Team(string teamId, string memberId) =>
        new(teamId, "Durability team", CareTeamStatus.Active, [new TeamMember(memberId, "Dr. P", CareTeamRole.Pcp)], [], "UTC");
}
