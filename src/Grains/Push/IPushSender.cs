using Huddle.Contracts.Push;

namespace Huddle.Grains.Push;

/// <summary>What a push service said of one try (RFC 8030 §5).</summary>
public enum PushSendOutcome
{
    /// <summary>201: the push service took the message.</summary>
    Delivered,

    /// <summary>404 or 410: the subscription is gone; the device is removed.</summary>
    Gone,

    /// <summary>Another 4xx (bad keys, too big, refused VAPID): trying again would not help.</summary>
    Rejected,

    /// <summary>429, 5xx, a timeout or no connection: worth another try.</summary>
    Failed,
}

/// <summary>One try's outcome, with the push service's status code or the error (never the payload).</summary>
public sealed record PushSendResult(PushSendOutcome Outcome, int? StatusCode = null, string? Error = null);

/// <summary>
/// Sends one notice to one device: VAPID-signed, encrypted per RFC 8291 (<c>WebPushSender</c> in the
/// silo, on <c>Lib.Net.Http.WebPush</c>). Never throws for the push service's answer.
/// </summary>
public interface IPushSender
{
    /// <summary>Sends <paramref name="notice"/>, worth holding for a sleeping device for <paramref name="timeToLive"/> (its remaining life).</summary>
    Task<PushSendResult> SendAsync(PushDevice device, PushNotice notice, TimeSpan timeToLive, VapidKeys keys, CancellationToken cancellationToken);
}
