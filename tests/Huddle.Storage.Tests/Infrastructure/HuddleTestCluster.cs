using Huddle.Silo.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.TestingHost;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Grains.CareTeams;

namespace Huddle.Storage.Tests.Infrastructure;

/// <summary>
/// A one-silo <see cref="InProcessTestCluster"/> whose "huddle" storage comes from configuration
/// exactly as the real silo's does (<see cref="HuddleStorageExtensions.AddHuddleStorage"/>).
/// Starting a second one with the same service id and storage is a silo restart.
/// </summary>
internal static class HuddleTestCluster
{
    /// <summary>Configuration for the AzureTable provider on <paramref name="server"/>, with a table of its own.</summary>
    public static Dictionary<string, string?> AzureTableConfig(AzuriteServer server) => new()
    {
        ["Huddle:Storage:Provider"] = "AzureTable",
        ["ConnectionStrings:HuddleStorage"] = server.ConnectionString,
        ["Huddle:Storage:AzureTable:TableName"] = "t" + Guid.NewGuid().ToString("N"),
    };

    public static async Task<InProcessTestCluster> StartAsync(string serviceId, IReadOnlyDictionary<string, string?> settings)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ServiceId = serviceId;
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddHuddleStorage(config);
            silo.Services.TryAddSingleton(Huddle.Contracts.Common.HuddleClock.System);
            silo.Services.AddOptions<Huddle.Grains.Live.FeedOptions>();
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
