using System.Text.Json;
using System.Threading.Channels;
using Huddle.Testing;
using Huddle.Web.Http;
using Huddle.Web.Boards;
using Huddle.Web.Auth;
using Huddle.Web.Live;
using Microsoft.AspNetCore.SignalR.Client;
using Huddle.Contracts.Boards;

namespace Huddle.Web.Tests;

/// <summary>The web host as an Orleans client of a separate silo: the same live path across processes' boundaries.</summary>
public sealed class ClientModeTests(HuddleClientModeAppFixture app) : IClassFixture<HuddleClientModeAppFixture>
{
    [Fact]
    public async Task A_change_reaches_another_client_when_grains_live_in_a_separate_silo()
    {
        await using var chen = await app.HubAsAsync("u-chen");
        await using var okafor = await app.HubAsAsync("u-okafor");
        var changes = Channel.CreateUnbounded<BoardChange>();
        okafor.On<BoardChange>(nameof(IHuddleClient.BoardChanged), c => changes.Writer.TryWrite(c));
        await chen.InvokeAsync<BoardSubscription>(nameof(HuddleHub.SubscribeBoard), "team-maple");
        var snapshot = await okafor.InvokeAsync<BoardSubscription>(nameof(HuddleHub.SubscribeBoard), "team-maple");
        Assert.True(snapshot.Ok);
        Assert.NotEmpty(snapshot.Board!.Cards);

        var reply = await chen.InvokeAsync<CommandReply>(nameof(HuddleHub.Execute), "team-maple", "addNote",
            JsonSerializer.SerializeToElement(new { kind = "lookAhead", text = "Float nurse from 11" }, HuddleJson.Options));
        Assert.True(reply.Ok, reply.Error?.Message);

        var change = await changes.Reader.ReadAsync().AsTask().Within(TimeSpan.FromSeconds(10), "the change through the separate silo");
        Assert.Equal(snapshot.Board.Version + 1, change.Version);
        Assert.Equal("Float nurse from 11", Assert.Single(change.Notes).Text);
    }
}
