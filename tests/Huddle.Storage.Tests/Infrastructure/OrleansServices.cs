using Huddle.Silo.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Storage;

namespace Huddle.Storage.Tests.Infrastructure;

/// <summary>
/// A Huddle silo's services, built but never started: the grain storage serializer exactly as a
/// Huddle silo gets it (AddHuddleStorage), without the cost of a cluster.
/// </summary>
public static class OrleansServices
{
    private static readonly Lazy<IHost> Host = new(() =>
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.UseOrleans(silo => silo.UseLocalhostClustering().AddHuddleStorage(new ConfigurationBuilder().Build()));
        return builder.Build();
    });

    /// <summary>The <see cref="IGrainStorageSerializer"/> a Huddle silo stores state with.</summary>
    public static IGrainStorageSerializer Serializer => Host.Value.Services.GetRequiredService<IGrainStorageSerializer>();
}
