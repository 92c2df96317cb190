using System.Text.Json;
using System.Threading.Channels;
using Huddle.Testing;
using Huddle.Web.Http;
using Huddle.Web.Boards;
using Huddle.Web.Auth;
using Huddle.Web.Live;
using Microsoft.AspNetCore.SignalR.Client;
using Huddle.Contracts.Boards;
using Microsoft.Extensions.DependencyInjection;

namespace Huddle.Web.Tests;

/// <summary>The web host as an Orleans client of a separate silo: the same live path across processes' boundaries.</summary>
public sealed class ClientModeTests(HuddleClientModeAppFixture app) : IClassFixture<HuddleClientModeAppFixture>
{
    [Fact]
    public async Task A_change_reaches_another_client_when_grains_live_in_a_separate_silo()
    {
        await using var chen = await HubClient.ConnectAsync(app, "u-chen");
        await using var okafor = await HubClient.ConnectAsync(app, "u-okafor");
        await chen.OpenAsync("team-maple");
        var snapshot = await okafor.OpenAsync("team-maple");
        Assert.NotEmpty(snapshot.Cards);

        await chen.DoAsync("team-maple", "addNote", new { kind = "lookAhead", text = "Float nurse from 11" });
        var change = await okafor.NextAsync("the change through the separate silo");
        Assert.Equal(snapshot.Version + 1, change.Version);
        Assert.Equal("Float nurse from 11", Assert.Single(change.Notes).Text);
        // No silo in this process: every change came by message.
        Assert.Null(app.App.Services.GetService<Huddle.Grains.Live.LocalFeedHosts>());
    }
}
