using Huddle.Silo.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Huddle.Storage.Tests.Infrastructure;

/// <summary>
/// A Huddle silo's services, built but never started: the grain storage serializer and activators
/// exactly as a Huddle silo gets them (AddHuddleStorage), without the cost of a cluster.
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

    /// <summary>The silo's activators (how grain storage makes a fresh state).</summary>
    public static IActivatorProvider Activators => Host.Value.Services.GetRequiredService<IActivatorProvider>();
}
