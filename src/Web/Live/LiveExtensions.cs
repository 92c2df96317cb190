namespace Huddle.Web.Live;

public static class LiveExtensions
{
    /// <summary>The relay, its renewal, and the hub's shared parts. Features add their routes with <see cref="AddFeedRoute{TRoute}"/>.</summary>
    public static IServiceCollection AddHuddleLive(this IServiceCollection services, IConfiguration config)
    {
        services.Configure<FeedRelayOptions>(config.GetSection("Huddle:Relay"));
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
