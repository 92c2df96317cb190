using System.Net;
using System.Net.Sockets;

namespace Huddle.Silo.Hosting;

/// <summary>
/// Connections to push services at public addresses only. A device's endpoint is whatever URL the browser
/// (or a client of the API) registered: without this, a subscription naming <c>https://10.1.2.3/…</c> or a
/// name resolving to one would have the silo POST to a host inside the network, and the device's last
/// error would tell whether it answered. The check is on the addresses a name resolves to at connect time
/// (not on the URL's text), so a name that re-resolves to an inside address later is refused as well.
/// Hand-written: .NET's <see cref="SocketsHttpHandler.ConnectCallback"/> is the hook for it, and no package
/// served here filters addresses; the ranges are the IANA special-purpose registries' non-global ones.
/// </summary>
public static class PublicEndpoints
{
    /// <summary>The device's error when its endpoint is not a public push service.</summary>
    public const string NotPublic = "not a public push service";

    private static readonly IPNetwork[] NonPublic =
    [
        // IPv4 (RFC 6890 and later): this network, private, shared (CGN), loopback, link-local, IETF protocol
        // assignments, documentation, benchmarking, multicast and reserved (which ends in broadcast).
        IPNetwork.Parse("0.0.0.0/8"), IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("100.64.0.0/10"),
        IPNetwork.Parse("127.0.0.0/8"), IPNetwork.Parse("169.254.0.0/16"), IPNetwork.Parse("172.16.0.0/12"),
        IPNetwork.Parse("192.0.0.0/24"), IPNetwork.Parse("192.0.2.0/24"), IPNetwork.Parse("192.168.0.0/16"),
        IPNetwork.Parse("198.18.0.0/15"), IPNetwork.Parse("198.51.100.0/24"), IPNetwork.Parse("203.0.113.0/24"),
        IPNetwork.Parse("224.0.0.0/4"), IPNetwork.Parse("240.0.0.0/4"),
        // IPv6: unspecified, loopback, NAT64 well-known prefix's local use, discard, documentation,
        // unique local, link-local, site-local (deprecated), multicast.
        IPNetwork.Parse("::/128"), IPNetwork.Parse("::1/128"), IPNetwork.Parse("64:ff9b:1::/48"), IPNetwork.Parse("100::/64"),
        IPNetwork.Parse("2001:db8::/32"), IPNetwork.Parse("fc00::/7"), IPNetwork.Parse("fe80::/10"), IPNetwork.Parse("fec0::/10"),
        IPNetwork.Parse("ff00::/8"),
    ];

    /// <summary>True when <paramref name="address"/> is routable on the public internet (an IPv4-mapped IPv6 address judged as its IPv4 one).</summary>
    public static bool IsPublic(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var judged = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return !NonPublic.Any(n => n.BaseAddress.AddressFamily == judged.AddressFamily && n.Contains(judged));
    }

    /// <summary>A <see cref="SocketsHttpHandler.ConnectCallback"/> that connects to the host's public addresses only, and fails when it has none.</summary>
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var endpoint = context.DnsEndPoint;
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken);
        var allowed = addresses.Where(IsPublic).ToArray();
        if (allowed.Length == 0)
        {
            throw new NotPublicException();
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, endpoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The endpoint's host has no public address: nothing was sent.</summary>
    public sealed class NotPublicException() : Exception(NotPublic);
}
