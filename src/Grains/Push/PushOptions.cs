namespace Huddle.Grains.Push;

/// <summary>Web Push settings (<c>Huddle:Push</c>, docs/operations.md "Push notifications").</summary>
public sealed class PushOptions
{
    /// <summary>The VAPID public key (base64url, uncompressed P-256 point); with <see cref="VapidPrivateKey"/>, or neither (then generated once and kept in storage).</summary>
    public string? VapidPublicKey { get; set; }

    /// <summary>The VAPID private key (base64url, 32 bytes).</summary>
    public string? VapidPrivateKey { get; set; }

    /// <summary>Who push services may contact about this deployment's messages (RFC 8292 <c>sub</c>): a <c>mailto:</c> or <c>https:</c> URL.</summary>
    public string Subject { get; set; } = "mailto:operations@huddle.invalid";

    /// <summary>Tries of one notice to one device before it waits for the next reminder (which tries again until the notice expires).</summary>
    public int Attempts { get; set; } = 3;

    /// <summary>How long one try may take.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The wait before the second try; doubled before each further one.</summary>
    public TimeSpan RetryFirst { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Sends to push services at once, across the silo.</summary>
    public int Concurrency { get; set; } = 16;

    /// <summary>
    /// Whether a device's endpoint may be plain http or resolve to a loopback, private, link-local or other
    /// non-public address. Off (the default), the silo sends only to public https push services, so a
    /// subscription naming an address inside the network cannot make it call that address. On for a push
    /// service of one's own inside the network, and for the tests' push service on loopback.
    /// </summary>
    public bool AllowPrivateEndpoints { get; set; }
}
