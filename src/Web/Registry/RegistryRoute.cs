using Huddle.Contracts.Common;
using Huddle.Contracts.Live;
using Huddle.Contracts.Registry;
using Huddle.Web.Live;

namespace Huddle.Web.Registry;

/// <summary>A team's registry through the relay: <c>registry:{teamId}</c>, sent as <c>RegistryChanged</c>.</summary>
public sealed class RegistryRoute(HuddleClock clock) : FeedRoute<IRegistryGrain, RegistryChange>(IRegistryGrain.Feed)
{
    /// <summary>The registry feed of <paramref name="teamId"/>.</summary>
    public static FeedId FeedOf(string teamId) => new(IRegistryGrain.Feed, teamId);

    protected override Task Send(IHuddleClient clients, RegistryChange change) => clients.RegistryChanged(change);

    public override object ResetPayload(FeedId feed, long seq, string reason) => new RegistryChange(feed.Key, seq, null, null, clock.UtcNow, Reset: true);
}
