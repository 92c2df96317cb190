using System.Buffers.Text;
using Huddle.Contracts.Common;

namespace Huddle.Contracts.Push;

/// <summary>The rules a subscription meets wherever it enters (the devices grain, the web host).</summary>
public static class PushSubscriptions
{
    /// <summary>The shape of a subscription (the web host also requires https, except on loopback in Development).</summary>
    public static HuddleError? Validate(PushSubscriptionInput? input)
    {
        if (input is null)
        {
            return HuddleError.Invalid("A subscription has a deviceId, an endpoint and keys.");
        }

        if (!Ids.IsValid(input.DeviceId))
        {
            return HuddleError.InvalidId("A deviceId");
        }

        if (input.Name is { } name && name.Trim().Length > PushLimits.MaxNameLength)
        {
            return HuddleError.Invalid($"A device's name is at most {PushLimits.MaxNameLength} characters.");
        }

        if (input.Endpoint is not { Length: > 0 and <= PushLimits.MaxEndpointLength } endpoint
            || !Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return HuddleError.Invalid($"The endpoint is the push service's absolute http(s) URL, at most {PushLimits.MaxEndpointLength} characters.");
        }

        if (input.Keys is null || DecodedLength(input.Keys.P256dh) is not 65 || Base64Url.DecodeFromChars(input.Keys.P256dh)[0] != 4)
        {
            return HuddleError.Invalid("keys.p256dh is the device's P-256 public key: 65 bytes, uncompressed, base64url.");
        }

        if (DecodedLength(input.Keys.Auth) is not 16)
        {
            return HuddleError.Invalid("keys.auth is the device's 16-byte auth secret, base64url.");
        }

        return null;
    }

    private static int DecodedLength(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 200)
        {
            return -1;
        }

        try
        {
            return Base64Url.DecodeFromChars(value.TrimEnd('=')).Length;
        }
        catch (FormatException)
        {
            return -1;
        }
    }
}
