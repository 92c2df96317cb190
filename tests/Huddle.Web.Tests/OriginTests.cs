using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using Huddle.Testing;
using Huddle.Web.Http;
using Huddle.Web.Live;
using Huddle.Web.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Huddle.Web.Tests;

/// <summary>
/// Cross-site WebSocket hijacking: a page of another site opening Huddle's hub or a Blazor circuit is
/// refused at the handshake, even with a valid token; the app's own pages and native clients are not.
/// </summary>
public sealed class OriginTests(HuddleAppFixture app)
{
    private const string Evil = "https://evil.example";

    private string OwnOrigin => app.BaseAddress.GetLeftPart(UriPartial.Authority);

    private HubConnection Hub(string token, string? origin) =>
        new HubConnectionBuilder()
            .WithUrl(new Uri(app.BaseAddress, HuddleHub.Path.TrimStart('/')), o =>
            {
                o.AccessTokenProvider = () => Task.FromResult<string?>(token);
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
                if (origin is not null)
                {
                    o.Headers["Origin"] = origin;
                }
            })
            .AddJsonProtocol(o => HuddleJson.Configure(o.PayloadSerializerOptions))
            .Build();

    private async Task<HttpResponseMessage> NegotiateAsync(string path, string origin, string? token = null)
    {
        using var http = app.Http();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{path.TrimStart('/')}/negotiate?negotiateVersion=1");
        request.Headers.Add("Origin", origin);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await http.SendAsync(request);
    }

    [Fact]
    public async Task A_hub_connection_from_another_sites_page_is_refused_at_the_handshake_even_with_a_valid_token()
    {
        var team = await app.CreateTeamAsync();
        var token = await app.TokenAsync(team.Pcp);

        await using (var foreign = Hub(token, Evil))
        {
            var refused = await Assert.ThrowsAnyAsync<Exception>(() => foreign.StartAsync());
            Assert.Contains("403", refused.ToString(), StringComparison.Ordinal);
            Assert.Equal(HubConnectionState.Disconnected, foreign.State);
        }

        // Negotiation too, with the documented problem.
        using var negotiation = await NegotiateAsync(HuddleHub.Path, Evil, token);
        Assert.Equal(HttpStatusCode.Forbidden, negotiation.StatusCode);
        Assert.Contains("\"code\":\"forbidden\"", await negotiation.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The app's own pages (same origin) and a native client (no Origin) connect.
        await using var own = Hub(token, OwnOrigin);
        await own.StartAsync();
        Assert.Equal(HubConnectionState.Connected, own.State);
        await using var native = await app.HubAsAsync(team.Pcp);
        Assert.Equal(HubConnectionState.Connected, native.State);
    }

    [Fact]
    public async Task A_blazor_circuit_from_another_sites_page_is_refused_and_one_from_the_apps_own_page_is_not()
    {
        using (var foreign = await NegotiateAsync("/_blazor", Evil))
        {
            Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        }

        using (var sandboxed = await NegotiateAsync("/_blazor", "null"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, sandboxed.StatusCode);
        }

        using (var own = await NegotiateAsync("/_blazor", OwnOrigin))
        {
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        }

        // The socket itself: the upgrade is refused before Blazor sees it.
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Origin", Evil);
        var ws = new UriBuilder(app.BaseAddress) { Scheme = "ws", Path = "/_blazor", Query = "id=any" }.Uri;
        var upgrade = await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(ws, CancellationToken.None));
        Assert.Contains("403", upgrade.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://huddle.local:8080", true)]
    [InlineData("HTTP://Huddle.Local:8080", true)]
    [InlineData("https://huddle.local:8080", false)]
    [InlineData("http://huddle.local", false)]
    [InlineData("http://huddle.local:8080.evil.example", false)]
    [InlineData("https://ehr.example.org", true)]
    [InlineData("https://ehr.example.org:443", true)]
    [InlineData("https://ehr.example.org:8443", false)]
    [InlineData("https://ehr.example.org.evil.example", false)]
    [InlineData("null", false)]
    [InlineData("https://ehr.example.org/page", false)]
    [InlineData(null, true)]
    public void An_origin_passes_when_it_is_the_requests_own_or_listed_by_scheme_host_and_port(string? origin, bool allowed)
    {
        var request = new DefaultHttpContext().Request;
        (request.Scheme, request.Host) = ("http", new HostString("huddle.local:8080"));
        if (origin is not null)
        {
            request.Headers.Origin = origin;
        }

        Assert.Equal(allowed, OriginCheck.Allows(request, OriginCheck.Normalized(["https://EHR.example.org:443"])));
    }

    [Fact]
    public void A_configured_origin_that_is_not_one_stops_the_start_with_the_setting_named()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => OriginCheck.Normalized(["https://ehr.example.org/portal"]));
        Assert.Contains(OriginCheck.AllowedOriginsKey, refused.Message, StringComparison.Ordinal);
    }
}
