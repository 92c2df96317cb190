using System.Collections.Immutable;

namespace Huddle.Contracts.Push;

/// <summary>
/// A browser's push subscription for one device of the signed-in clinician, as the browser's
/// <c>PushSubscription.toJSON()</c> gives it (<c>endpoint</c>, <c>keys.p256dh</c>, <c>keys.auth</c>),
/// with the device's id (chosen by the device, kept in its storage) and an optional name.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.push-subscription-input")]
public sealed record PushSubscriptionInput(
    [property: Id(0)] string DeviceId,
    [property: Id(2)] string Endpoint,
    [property: Id(3)] PushKeys Keys,
    [property: Id(1)] string? Name = null);

/// <summary>The subscription's keys (RFC 8291): the device's P-256 public key and its 16-byte auth secret, base64url.</summary>
[GenerateSerializer, Immutable, Alias("huddle.push-keys")]
public sealed record PushKeys(
    [property: Id(0)] string P256dh,
    [property: Id(1)] string Auth);

/// <summary>One stored device of a clinician: where its push service takes messages, and the keys to encrypt them.</summary>
[GenerateSerializer, Immutable, Alias("huddle.push-device")]
public sealed record PushDevice(
    [property: Id(0)] string DeviceId,
    [property: Id(1)] string Name,
    [property: Id(2)] string Endpoint,
    [property: Id(3)] PushKeys Keys,
    [property: Id(4)] DateTimeOffset AddedAt,
    [property: Id(5)] DateTimeOffset? LastSentAt,
    [property: Id(6)] string? LastError)
{
    /// <summary>What a list shows: the push service's host, never the endpoint's secret path or the keys.</summary>
    public PushDeviceView View() => new(DeviceId, Name, new Uri(Endpoint).Host, AddedAt, LastSentAt, LastError);
}

/// <summary>A device as "My devices" lists it (GET /api/push/devices).</summary>
[GenerateSerializer, Immutable, Alias("huddle.push-device-view")]
public sealed record PushDeviceView(
    [property: Id(0)] string DeviceId,
    [property: Id(1)] string Name,
    [property: Id(2)] string PushService,
    [property: Id(3)] DateTimeOffset AddedAt,
    [property: Id(4)] DateTimeOffset? LastSentAt,
    [property: Id(5)] string? LastError);

/// <summary>A clinician's devices, newest first.</summary>
[GenerateSerializer, Immutable, Alias("huddle.push-devices")]
public sealed record PushDeviceList(
    [property: Id(0)] ImmutableArray<PushDeviceView> Devices);

/// <summary>How soon a push service should wake the device (RFC 8030 §5.3).</summary>
public enum PushUrgency
{
    Normal,
    High,
}

/// <summary>
/// One notification for a clinician's devices: <see cref="Body"/> is the same PHI-free notice text as
/// the toast; <see cref="Tag"/> collapses repeats of one subject on the device; <see cref="Url"/> is
/// the path the notification opens. <see cref="NoticeId"/> makes a delivery idempotent: a notice told
/// twice (a retried tell) is sent once. Past <see cref="Until"/> it is not worth sending.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.push-notice")]
public sealed record PushNotice(
    [property: Id(0)] string NoticeId,
    [property: Id(1)] string Kind,
    [property: Id(2)] string Body,
    [property: Id(3)] string Tag,
    [property: Id(4)] string Url,
    [property: Id(5)] PushUrgency Urgency,
    [property: Id(6)] DateTimeOffset Until,
    [property: Id(7)] ImmutableDictionary<string, string> Ids,
    [property: Id(8)] bool RequireInteraction,
    [property: Id(9)] bool Vibrate);

/// <summary>The deployment's VAPID key pair (RFC 8292), base64url: the public key is the browsers' <c>applicationServerKey</c>.</summary>
[GenerateSerializer, Immutable, Alias("huddle.vapid-keys")]
public sealed record VapidKeys(
    [property: Id(0)] string PublicKey,
    [property: Id(1)] string PrivateKey,
    [property: Id(2)] string Subject);

/// <summary>Bounds of a clinician's push devices (docs/api.md, "Push").</summary>
public static class PushLimits
{
    public const int MaxDevices = 10;
    public const int MaxNameLength = 60;
    public const int MaxEndpointLength = 2000;

    /// <summary>Notices waiting for their devices; a newer one for the same tag replaces an older.</summary>
    public const int MaxPending = 20;
}
