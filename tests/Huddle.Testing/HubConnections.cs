using System.Text.Json;
using System.Threading.Channels;
using Huddle.Web.Http;
using Huddle.Web.Live;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Huddle.Testing;

/// <summary>Hub connections as a browser makes them: WebSockets only, the token on the URL's query string (access_token).</summary>
public static class HubConnections
{
    /// <summary>A connection (not started) to the hub of the host at <paramref name="host"/>, carrying <paramref name="token"/>.</summary>
    public static HubConnection To(Uri host, string token) =>
        new HubConnectionBuilder()
            .WithUrl(new Uri(host, HuddleHub.Path.TrimStart('/')), o =>
            {
                o.AccessTokenProvider = () => Task.FromResult<string?>(token);
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
            })
            .AddJsonProtocol(o => HuddleJson.Configure(o.PayloadSerializerOptions))
            .Build();

    /// <summary>Every <paramref name="eventName"/> event <paramref name="hub"/> receives from now on, as raw JSON in arrival order (as a client written from docs/api.md sees it).</summary>
    public static ChannelReader<JsonElement> Record(HubConnection hub, string eventName)
    {
        ArgumentNullException.ThrowIfNull(hub);
        var events = Channel.CreateUnbounded<JsonElement>();
        hub.On<JsonElement>(eventName, e => events.Writer.TryWrite(e.Clone()));
        return events.Reader;
    }

    /// <summary>Hands recorded events, in order, to <paramref name="apply"/> until <paramref name="until"/> holds; cancelled after <paramref name="wait"/>.</summary>
    public static async Task ApplyUntilAsync(this ChannelReader<JsonElement> events, Action<JsonElement> apply, Func<bool> until, TimeSpan wait, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(apply);
        ArgumentNullException.ThrowIfNull(until);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(wait);
        while (!until())
        {
            apply(await events.ReadAsync(timeout.Token));
        }
    }
}
