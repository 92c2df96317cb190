using Huddle.Contracts.Common;
using Huddle.Contracts.Live;
using Huddle.Contracts.Registry;
using Huddle.Web.Registry;

namespace Huddle.Web.Live;

/// <summary>The registry's hub methods (docs/api.md, "Registry"); a part of the one hub.</summary>
public sealed partial class HuddleHub
{
    /// <summary>Starts receiving <c>RegistryChanged</c> for <paramref name="teamId"/> and returns the registry (members only).</summary>
    public Task<Result<FeedReply<RegistryView, RegistryChange>>> SubscribeRegistry(string teamId) =>
        OpenFeed<RegistryView, RegistryChange>(RegistryRoute.FeedOf(teamId), null, FeedPosition.AnyEpoch);

    /// <summary>Like <see cref="SubscribeRegistry"/> for a client that has the registry at <paramref name="seq"/> of <paramref name="epoch"/>.</summary>
    public Task<Result<FeedReply<RegistryView, RegistryChange>>> ResumeRegistry(string teamId, long seq, long epoch) =>
        OpenFeed<RegistryView, RegistryChange>(RegistryRoute.FeedOf(teamId), seq, epoch);

    /// <summary>Stops receiving the team's registry.</summary>
    public Task UnsubscribeRegistry(string teamId) => CloseFeed(RegistryRoute.FeedOf(teamId));
}
