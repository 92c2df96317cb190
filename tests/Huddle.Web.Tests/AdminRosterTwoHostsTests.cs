using System.Collections.Concurrent;
using System.Text.Json;
using Huddle.Contracts.Chat;
using Huddle.Silo.Hosting;
using Huddle.Testing;
using Huddle.Web.Chat;
using Huddle.Web.Live;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Huddle.Web.Tests;

/// <summary>
/// A removal an administrator makes on one web host reaches the removed person's live connections on
/// another (docs/security.md, "Administration"): two web hosts as Orleans clients of one silo.
/// </summary>
public sealed class AdminRosterTwoHostsTests : IAsyncLifetime
{
    private readonly int _gatewayPort = FreePort.Next();
    private readonly string _clusterId = $"test-{Guid.NewGuid():N}";
    private IHost _silo = default!;
    private HuddleClusterMemberApp _first = default!;
    private HuddleClusterMemberApp _second = default!;

    public async ValueTask InitializeAsync()
    {
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
        var app = new HuddleClusterMemberApp(new()
        {
            ["Huddle:Orleans:Mode"] = "Client",
            ["Huddle:Orleans:GatewayPort"] = _gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Huddle:Orleans:ClusterId"] = _clusterId,
        });
        await app.InitializeAsync();
        return app;
    }

    public async ValueTask DisposeAsync()
    {
        await _second.DisposeAsync();
        await _first.DisposeAsync();
        await _silo.StopAsync();
        _silo.Dispose();
    }

    [Fact]
    public async Task A_clinician_removed_through_one_host_stops_receiving_a_patients_thread_on_the_other()
    {
        var team = await _first.CreateTeamAsync();
        var thread = ThreadIds.ForPatient(team.Patients[0])!;
        var feed = ThreadRoute.FeedOf(thread);
        await using var bhc = await _second.HubAsAsync(team.Bhc);
        var resets = new ConcurrentQueue<string>();
        bhc.On<ThreadChange>(nameof(IHuddleClient.ThreadChanged), c => { if (c.Reset) { resets.Enqueue(c.ThreadId); } });
        Assert.True((await bhc.InvokeAsync<JsonElement>(nameof(HuddleHub.SubscribeThread), thread)).GetProperty("ok").GetBoolean());
        var secondRelay = _second.App.Services.GetRequiredService<FeedRelay>();
        Assert.Contains(secondRelay.WatchersOf(feed), w => w.UserId == team.Bhc);

        using var admin = await _first.HttpAsAsync(await _first.AdministratorAsync());
        (await admin.DeleteAsync($"api/admin/teams/{team.TeamId}/members/{team.Bhc}")).EnsureSuccessStatusCode();

        await Eventually.Until(() => Task.FromResult(secondRelay.WatchersOf(feed).All(w => w.UserId != team.Bhc) && resets.Contains(thread)),
            HubClient.Timeout, "the second host to drop the BHC's watch of the patient's thread and tell the connection");
        Assert.Equal("forbidden", (await bhc.InvokeAsync<JsonElement>(nameof(HuddleHub.SubscribeThread), thread)).GetProperty("error").GetProperty("code").GetString());
    }
}
