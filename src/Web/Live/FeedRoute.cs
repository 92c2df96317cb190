using Huddle.Contracts.Common;
using Huddle.Contracts.Live;

namespace Huddle.Web.Live;

/// <summary>
/// The one shape every route has: feeds of <paramref name="kind"/> are owned by the
/// <typeparamref name="TOwner"/> grain with the feed's key and carried by one hub event of
/// <typeparamref name="TChange"/>. A feature's route names its event (<see cref="Send"/>) and its
/// "re-read" payload (<see cref="ResetPayload"/>), nothing else.
/// </summary>
public abstract class FeedRoute<TOwner, TChange>(string kind) : IFeedRoute
    where TOwner : IFeedGrain, IGrainWithStringKey
{
    public string Kind => kind;

    public IFeedGrain Owner(IGrainFactory grains, string key)
    {
        ArgumentNullException.ThrowIfNull(grains);
        return grains.Grain<TOwner>(key);
    }

    public Task SendAsync(IHuddleClient clients, object payload)
    {
        ArgumentNullException.ThrowIfNull(clients);
        return Send(clients, (TChange)payload);
    }

    public abstract object ResetPayload(FeedId feed, long seq, string reason);

    /// <summary>Calls the feature's hub event with one audience's change.</summary>
    protected abstract Task Send(IHuddleClient clients, TChange change);
}
