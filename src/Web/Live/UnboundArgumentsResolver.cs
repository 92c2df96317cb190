using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Huddle.Web.Live;

/// <summary>
/// SignalR's protocol resolver with <see cref="UnboundArgumentsProtocol"/> around the configured JSON
/// protocol (the Blazor circuit's protocol unchanged). A resolver, not a protocol registration: every
/// <c>AddSignalR</c> call (Blazor's too) adds the JSON protocol again, and the last one registered wins.
/// </summary>
public sealed class UnboundArgumentsResolver : IHubProtocolResolver
{
    private readonly Dictionary<string, IHubProtocol> _byName = new(StringComparer.OrdinalIgnoreCase);

    public UnboundArgumentsResolver(IEnumerable<IHubProtocol> protocols, ILogger<UnboundArgumentsProtocol> logger)
    {
        ArgumentNullException.ThrowIfNull(protocols);
        foreach (var protocol in protocols)
        {
            _byName[protocol.Name] = protocol is JsonHubProtocol json ? new UnboundArgumentsProtocol(json, logger) : protocol;
        }

        AllProtocols = [.. _byName.Values];
    }

    public IReadOnlyList<IHubProtocol> AllProtocols { get; }

    public IHubProtocol? GetProtocol(string protocolName, IReadOnlyList<string>? supportedProtocols) =>
        _byName.TryGetValue(protocolName, out var protocol) && (supportedProtocols is null || supportedProtocols.Contains(protocolName, StringComparer.OrdinalIgnoreCase))
            ? protocol
            : null;
}
