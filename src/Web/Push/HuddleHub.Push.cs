using Huddle.Contracts.Common;
using Huddle.Contracts.Push;
using Huddle.Web.Push;

namespace Huddle.Web.Live;

/// <summary>The push hub methods (docs/api.md, "Push"): a device registers where pings are pushed when no page is open.</summary>
public sealed partial class HuddleHub
{
    /// <summary>The VAPID public key to subscribe with.</summary>
    public Task<Result<PushKey>> GetPushKey(PushService push)
    {
        ArgumentNullException.ThrowIfNull(push);
        return push.KeyAsync();
    }

    /// <summary>Adds or replaces one of this user's devices.</summary>
    public Task<Result<PushDeviceView>> RegisterPushDevice(PushSubscriptionInput subscription, PushService push)
    {
        ArgumentNullException.ThrowIfNull(push);
        return push.SubscribeAsync(UserId, subscription);
    }

    /// <summary>Removes one of this user's devices.</summary>
    public Task<Result<PushDeviceRemoved>> RemovePushDevice(string deviceId, PushService push)
    {
        ArgumentNullException.ThrowIfNull(push);
        return push.RemoveAsync(UserId, deviceId);
    }

    /// <summary>This user's devices.</summary>
    public Task<Result<PushDeviceList>> ListPushDevices(PushService push)
    {
        ArgumentNullException.ThrowIfNull(push);
        return push.ListAsync(UserId);
    }
}
