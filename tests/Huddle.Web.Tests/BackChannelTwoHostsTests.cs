using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Huddle.Silo.Hosting;
using Huddle.Testing;
using Huddle.Web.Http;
using Huddle.Web.Live;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Huddle.Web.Tests;

/// <summary>
/// A back-channel logout reaches one web host; the person's live connections on every host end. Two
/// web hosts (Orleans clients of one silo, the deployment where web hosts and grains run apart) and a
/// real OpenID Connect provider, all started here.
/// </summary>
public sealed class BackChannelTwoHostsTests : IAsyncLifetime
{
    private readonly int _gatewayPort = FreePort.Next();
    private readonly string _clusterId = $"test-{Guid.NewGuid():N}";
    private IHost _silo = default!;
    private TestOidcProvider _provider = default!;
    private HuddleClusterMemberApp _first = default!;
    private HuddleClusterMemberApp _second = default!;

    public async ValueTask InitializeAsync()
    {
        _provider = await TestOidcProvider.StartAsync();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Huddle:Orleans:SiloPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Huddle:Orleans:GatewayPort"] = _gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Huddle:Orleans:ClusterId"] = _clusterId,
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.UseOrleans(silo => silo.AddHuddleSilo(builder.Configuration));
        _silo = builder.Build();
        await _silo.StartAsync();
        _first = await WebHostAsync();
        _second = await WebHostAsync();
    }

    private async Task<HuddleClusterMemberApp> WebHostAsync()
    {
        var settings = _provider.HuddleSettings();
        settings["Huddle:Orleans:Mode"] = "Client";
        settings["Huddle:Orleans:GatewayPort"] = _gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Huddle:Orleans:ClusterId"] = _clusterId;
        var app = new HuddleClusterMemberApp(settings);
        await app.InitializeAsync();
        _provider.RegisterClient(app.BaseAddress);
        return app;
    }

    public async ValueTask DisposeAsync()
    {
        await _second.DisposeAsync();
        await _first.DisposeAsync();
        await _silo.StopAsync();
        _silo.Dispose();
        await _provider.DisposeAsync();
    }

    private static HubConnection Hub(Uri host, string token) => HubConnections.To(host, token);

    [Fact]
    public async Task A_logout_posted_to_one_host_closes_the_persons_connections_on_both_and_their_token_is_refused_on_both()
    {
        var team = await _first.CreateTeamAsync();
        _provider.AddAccount(team.Pcp, "Pat Carter at Test Health");
        _provider.AddAccount(team.Bhc, "Bea Holt at Test Health");
        var token = await _provider.AccessTokenAsync(team.Pcp);
        var closed = new List<Task>();
        var hubs = new List<HubConnection>();
        foreach (var host in new[] { _first.BaseAddress, _second.BaseAddress })
        {
            var hub = Hub(host, token);
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            hub.Closed += _ => { done.TrySetResult(); return Task.CompletedTask; };
            await hub.StartAsync();
            Assert.True((await hub.InvokeAsync<JsonElement>("SubscribeBoard", team.TeamId)).GetProperty("ok").GetBoolean());
            hubs.Add(hub);
            closed.Add(done.Task);
        }

        await using var bhc = Hub(_second.BaseAddress, await _provider.AccessTokenAsync(team.Bhc));
        await bhc.StartAsync();

        // The provider posts to the first host only.
        using (var answer = await _provider.BackChannelLogoutAsync(_first.BaseAddress, team.Pcp))
        {
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }

        await Task.WhenAll(closed).ContinueWith(_ => true, TaskScheduler.Default).Within(TimeSpan.FromSeconds(10), "the PCP's connections on both hosts to close");
        foreach (var host in new[] { _first.BaseAddress, _second.BaseAddress })
        {
            using var api = new HttpClient { BaseAddress = host };
            api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("api/me")).StatusCode);
        }

        // The BHC on the second host is untouched.
        Assert.True((await bhc.InvokeAsync<JsonElement>("SubscribeBoard", team.TeamId)).GetProperty("ok").GetBoolean());
        foreach (var hub in hubs)
        {
            await hub.DisposeAsync();
        }
    }
}
