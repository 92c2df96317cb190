using Microsoft.AspNetCore.SignalR;

namespace Huddle.Web.Live;

public static class LiveExtensions
{
    /// <summary>
    /// The relay, its renewal, and the hub's shared parts (call it after <c>AddSignalR</c>: its protocol
    /// resolver puts <see cref="UnboundArgumentsProtocol"/> around the JSON protocol). Features add their
    /// routes with <see cref="AddFeedRoute{TRoute}"/>.
    /// </summary>
    public static IServiceCollection AddHuddleLive(this IServiceCollection services, IConfiguration config)
    {
        services.Configure<FeedRelayOptions>(config.GetSection("Huddle:Relay"));
        // The JSON protocol answers arguments that do not bind with validation_failed (SignalR's own
        // resolver was registered by AddSignalR with TryAdd: this one, registered after it, is used).
        services.AddSingleton<IHubProtocolResolver, UnboundArgumentsResolver>();
        services.AddSingleton<FeedRelay>();
        services.AddHostedService<FeedRelayRenewal>();
        return services;
    }

    /// <summary>Registers a feature's route: how the relay reaches its feeds' owner and sends their changes.</summary>
    public static IServiceCollection AddFeedRoute<TRoute>(this IServiceCollection services)
        where TRoute : class, IFeedRoute
    {
        services.AddSingleton<IFeedRoute, TRoute>();
        return services;
    }
}
