using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Huddle.Storage.Tests.Infrastructure;

/// <summary>
/// Orleans' own silo services, built but never started: the grain storage serializer and
/// activators exactly as a Huddle silo gets them by default, without the cost of a cluster.
/// </summary>
public static class OrleansServices
{
    private static readonly Lazy<IHost> Host = new(() =>
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.UseOrleans(silo => silo.UseLocalhostClustering());
        return builder.Build();
    });

    /// <summary>The silo's default <see cref="IGrainStorageSerializer"/>.</summary>
    public static IGrainStorageSerializer Serializer => Host.Value.Services.GetRequiredService<IGrainStorageSerializer>();

    /// <summary>The silo's activators (how grain storage makes a fresh state).</summary>
    public static IActivatorProvider Activators => Host.Value.Services.GetRequiredService<IActivatorProvider>();
}
