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
}
