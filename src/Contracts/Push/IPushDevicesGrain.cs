namespace Huddle.Contracts.Push;

/// <summary>
/// One grain per clinician (key: the user id) holding the devices their pings are pushed to (Web
/// Push, RFC 8030) and the notices still being sent. Whoever owes a clinician a ping (a handoff's
/// outbox) calls <see cref="NotifyAsync"/>: the notice is stored before the call returns and sent
/// to each device afterwards, so a slow or unreachable push service never holds its caller.
/// The web host checks that a caller manages only their own devices (the key is theirs).
/// </summary>
public interface IPushDevicesGrain : IGrainWithStringKey
{
    /// <summary>
    /// Adds or replaces the device <see cref="PushSubscriptionInput.DeviceId"/> (the same endpoint under
    /// another id replaces that one). At most <see cref="PushLimits.MaxDevices"/>: past it, the device
    /// unused the longest is dropped. Bad input is <c>validation_failed</c> and changes nothing.
    /// </summary>
    Task<Common.Result<PushDeviceView>> SubscribeAsync(PushSubscriptionInput input);

    /// <summary>Renames a device (1-60 characters); <c>not_found</c> for a device not on the list.</summary>
    Task<Common.Result<PushDeviceView>> RenameAsync(string deviceId, string name);

    /// <summary>Removes a device; true when it was on the list (removing twice is not an error).</summary>
    Task<Common.Result<bool>> RemoveAsync(string deviceId);

    /// <summary>The devices, newest first.</summary>
    [AlwaysInterleave]
    Task<PushDeviceList> ListAsync();

    /// <summary>
    /// Stores <paramref name="notice"/> for every device (nothing when there is none, or when its
    /// <see cref="PushNotice.NoticeId"/> was already taken) and returns; sending follows, retried a few
    /// times, and carried across a restart by a reminder until each device took it or it expired.
    /// </summary>
    Task NotifyAsync(PushNotice notice);
}

/// <summary>The deployment's VAPID keys (one grain, key <see cref="Key"/>): configured, or generated once and kept.</summary>
public interface IPushKeysGrain : IGrainWithStringKey
{
    /// <summary>The only key of this grain.</summary>
    public const string Key = "vapid";

    /// <summary>The key pair, generated and stored at the first call when none is configured.</summary>
    Task<VapidKeys> GetAsync();
}
