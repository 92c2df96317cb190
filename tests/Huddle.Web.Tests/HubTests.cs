using System.Text.Json;
using System.Threading.Channels;
using Huddle.Testing;
using Huddle.Web.Http;
using Huddle.Web.Boards;
using Huddle.Web.Auth;
using Huddle.Web.Live;
using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Huddle.Contracts.Boards;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Grains.CareTeams.Board;

namespace Huddle.Web.Tests;

/// <summary>The hub as a client sees it: two real SignalR .NET clients against the app on loopback.</summary>
public sealed class HubTests(HuddleAppFixture app)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static async Task<CommandReply> Execute(HubConnection hub, string teamId, string op, object? args) =>
        await hub.InvokeAsync<CommandReply>(nameof(HuddleHub.Execute), teamId, op, args is null ? null : JsonSerializer.SerializeToElement(args, HuddleJson.Options));

    private static Task<BoardSubscription> Subscribe(HubConnection hub, string teamId) =>
        hub.InvokeAsync<BoardSubscription>(nameof(HuddleHub.SubscribeBoard), teamId);

    /// <summary>A hub client subscribed to a board, with the changes it receives.</summary>
    private sealed record Watcher(HubConnection Hub, ChannelReader<BoardChange> Changes) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Hub.DisposeAsync();
    }

    private async Task<Watcher> WatchAsync(string userId, string teamId)
    {
        var hub = await app.HubAsAsync(userId);
        var changes = Changes(hub);
        Assert.True((await Subscribe(hub, teamId)).Ok);
        return new Watcher(hub, changes);
    }

    private static ChannelReader<BoardChange> Changes(HubConnection hub)
    {
        var channel = Channel.CreateUnbounded<BoardChange>();
        hub.On<BoardChange>(nameof(IHuddleClient.BoardChanged), change => channel.Writer.TryWrite(change));
        return channel.Reader;
    }

    [Fact]
    public async Task A_change_by_one_clinician_reaches_another_with_the_next_version()
    {
        var team = await app.CreateTeamAsync();
        await using var pcp = await app.HubAsAsync(team.Pcp);
        await using var bhc = await app.HubAsAsync(team.Bhc);
        var bhcChanges = Changes(bhc);
        Assert.True((await Subscribe(pcp, team.TeamId)).Ok);
        var snapshot = await Subscribe(bhc, team.TeamId);
        Assert.True(snapshot.Ok);
        Assert.Equal(TeamAccess.Member, snapshot.Access);

        var reply = await Execute(pcp, team.TeamId, "addCard", new { patientId = team.Patients[0], laneId = "lane-1" });
        Assert.True(reply.Ok, reply.Error?.Message);
        var change = await bhcChanges.ReadAsync().AsTask().Within(Timeout, "the BHC to receive the new card");

        Assert.Equal(snapshot.Board!.Version + 1, change.Version);
        Assert.Equal(reply.Version, change.Version);
        Assert.Equal(("addCard", team.Pcp), (change.Op, change.ActorId));
        Assert.Equal("Alma Reyes", Assert.Single(change.Cards).PatientName);
        var merged = change.ApplyTo(snapshot.Board);
        Assert.NotNull(merged);
        Assert.Equal([change.Cards[0].Id], merged.FindLane("lane-1")!.CardIds);
    }

    [Fact]
    public async Task A_client_written_from_the_docs_reads_the_change_as_plain_json()
    {
        var team = await app.CreateTeamAsync();
        await using var pcp = await app.HubAsAsync(team.Pcp);
        await using var watcher = await app.HubAsAsync(team.Bhc);
        var raw = Channel.CreateUnbounded<JsonElement>();
        watcher.On<JsonElement>("BoardChanged", json => raw.Writer.TryWrite(json));
        var subscription = await watcher.InvokeAsync<JsonElement>("SubscribeBoard", team.TeamId);
        Assert.True(subscription.GetProperty("ok").GetBoolean());
        var version = subscription.GetProperty("board").GetProperty("version").GetInt64();

        Assert.True((await Execute(pcp, team.TeamId, "addActionItem", new { title = "Call pharmacy", ownerId = team.Bhc })).Ok);
        var json = await raw.Reader.ReadAsync().AsTask().Within(Timeout, "the change as JSON");

        Assert.Equal(team.TeamId, json.GetProperty("teamId").GetString());
        Assert.Equal(version + 1, json.GetProperty("version").GetInt64());
        Assert.Equal("addActionItem", json.GetProperty("op").GetString());
        var item = json.GetProperty("actionItems")[0];
        Assert.Equal(("Call pharmacy", "open"), (item.GetProperty("title").GetString(), item.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task Moves_and_huddle_steps_arrive_in_order_with_consecutive_versions()
    {
        var team = await app.CreateTeamAsync();
        await using var pcp = await app.HubAsAsync(team.Pcp);
        await using var bhc = await app.HubAsAsync(team.Bhc);
        var changes = Changes(bhc);
        await Subscribe(pcp, team.TeamId);
        var board = (await Subscribe(bhc, team.TeamId)).Board!;

        Assert.True((await Execute(pcp, team.TeamId, "addCard", new { patientId = team.Patients[0], laneId = "lane-1" })).Ok);
        Assert.True((await Execute(pcp, team.TeamId, "addCard", new { patientId = team.Patients[1], laneId = "lane-1" })).Ok);
        Assert.True((await Execute(pcp, team.TeamId, "moveCard", new { cardId = "card-5", toLaneId = "lane-2", toIndex = 0 })).Ok);
        Assert.True((await Execute(pcp, team.TeamId, "startHuddle", null)).Ok);
        Assert.True((await Execute(bhc, team.TeamId, "setAttendance", new { userId = team.Bhc, present = true })).Ok);

        for (var i = 0; i < 5; i++)
        {
            var change = await changes.ReadAsync().AsTask().Within(Timeout, $"change {i + 1} of 5");
            board = change.ApplyTo(board) ?? throw new Xunit.Sdk.XunitException($"Change {change.Version} did not follow version {board.Version}.");
        }

        Assert.Equal(["card-5"], board.FindLane("lane-2")!.CardIds);
        Assert.Equal([team.Pcp, team.Bhc], board.Session!.Attendees);
    }

    [Fact]
    public async Task An_outsider_can_neither_subscribe_nor_change_the_board()
    {
        var team = await app.CreateTeamAsync();
        await using var outsider = await app.HubAsAsync(team.Outsider);
        await using var pcp = await app.HubAsAsync(team.Pcp);
        var before = (await Subscribe(pcp, team.TeamId)).Board!;

        var subscription = await Subscribe(outsider, team.TeamId);
        Assert.False(subscription.Ok);
        Assert.Null(subscription.Board);
        Assert.Equal(ErrorCodes.Forbidden, subscription.Error?.Code);

        var reply = await Execute(outsider, team.TeamId, "addLane", new { title = "Mine now" });
        Assert.Equal(ErrorCodes.Forbidden, reply.Error?.Code);
        Assert.Equal(before.Version, (await Subscribe(pcp, team.TeamId)).Board!.Version);
    }

    [Fact]
    public async Task The_room_display_reads_a_privacy_filtered_board_and_cannot_change_it()
    {
        var team = await app.CreateTeamAsync();
        await using var pcp = await app.HubAsAsync(team.Pcp);
        await using var screen = await app.HubAsAsync(team.Display);
        var screenChanges = Changes(screen);
        await Subscribe(pcp, team.TeamId);
        var subscription = await Subscribe(screen, team.TeamId);
        Assert.True(subscription.Ok);
        Assert.Equal(TeamAccess.Display, subscription.Access);

        Assert.True((await Execute(pcp, team.TeamId, "addCard", new { patientId = team.Patients[0], laneId = "lane-1", note = "MDD, new SSRI" })).Ok);
        var card = Assert.Single((await screenChanges.ReadAsync().AsTask().Within(Timeout, "the screen's change")).Cards);
        Assert.Equal(("A.R.", "A.R.", "Exam 1"), (card.PatientName, card.Initials, card.Room));
        Assert.Null(card.Note);

        var reply = await Execute(screen, team.TeamId, "setCardNote", new { cardId = card.Id, note = "from the wall" });
        Assert.Equal(ErrorCodes.Forbidden, reply.Error?.Code);
    }

    [Fact]
    public async Task Invalid_operations_get_the_documented_error_and_leave_the_board_unchanged()
    {
        var team = await app.CreateTeamAsync();
        await using var pcp = await app.HubAsAsync(team.Pcp);
        Assert.True((await Execute(pcp, team.TeamId, "addCard", new { patientId = team.Patients[0], laneId = "lane-1" })).Ok);
        var before = (await Subscribe(pcp, team.TeamId)).Board!;

        (string Op, object? Args, string Code)[] cases =
        [
            ("noSuchOp", new { }, ErrorCodes.NotFound),
            ("moveCard", new { cardId = "card-5" }, ErrorCodes.ValidationFailed),
            ("moveCard", new { cardId = "card-404", toLaneId = "lane-2", toIndex = 0 }, ErrorCodes.NotFound),
            ("moveCard", new { cardId = "card-5", toLaneId = "lane-404", toIndex = 0 }, ErrorCodes.NotFound),
            ("moveCard", new { cardId = "card-5", toLaneId = "lane-2", toIndex = 0, expectedVersion = before.Version - 1 }, ErrorCodes.VersionConflict),
            ("setCardNote", new { cardId = "card-5", note = new string('x', BoardLimits.NoteLength + 1) }, ErrorCodes.ValidationFailed),
            ("addLane", new { title = "" }, ErrorCodes.ValidationFailed),
            ("addNote", new { kind = "sideways", text = "x" }, ErrorCodes.ValidationFailed),
            ("endHuddle", new { summary = "never started" }, ErrorCodes.InvalidState),
            ("addCard", new { patientId = "p-unknown", laneId = "lane-1" }, ErrorCodes.NotFound),
        ];
        foreach (var (op, args, code) in cases)
        {
            var reply = await Execute(pcp, team.TeamId, op, args);
            Assert.False(reply.Ok, op);
            Assert.Equal(code, reply.Error?.Code);
            Assert.False(string.IsNullOrWhiteSpace(reply.Error?.Message));
        }

        var after = (await Subscribe(pcp, team.TeamId)).Board!;
        Assert.Equal(before.Version, after.Version);
        Assert.Equivalent(before, after, strict: true);
    }

    [Fact]
    public async Task An_unknown_team_is_not_found_and_a_malformed_id_is_rejected()
    {
        var team = await app.CreateTeamAsync();
        await using var pcp = await app.HubAsAsync(team.Pcp);
        var subscription = await Subscribe(pcp, "team-does-not-exist");
        Assert.Equal(ErrorCodes.NotFound, subscription.Error?.Code);
        Assert.Equal(ErrorCodes.NotFound, (await Execute(pcp, "team-does-not-exist", "startHuddle", null)).Error?.Code);
        Assert.Equal(ErrorCodes.ValidationFailed, (await Execute(pcp, new string('t', 65), "startHuddle", null)).Error?.Code);
        Assert.Equal(ErrorCodes.ValidationFailed, (await Execute(pcp, "team/../x", "startHuddle", null)).Error?.Code);
        Assert.Equal(ErrorCodes.ValidationFailed, (await Subscribe(pcp, "")).Error?.Code);
    }

    [Fact]
    public async Task A_connection_without_a_token_is_refused()
    {
        await using var anonymous = new HubConnectionBuilder()
            .WithUrl(new Uri(app.BaseAddress, "hubs/huddle"))
            .Build();
        var error = await Assert.ThrowsAnyAsync<Exception>(() => anonymous.StartAsync());
        Assert.Contains("401", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_unsubscribing_a_client_receives_no_more_changes_while_others_still_do()
    {
        var team = await app.CreateTeamAsync();
        await using var pcp = await WatchAsync(team.Pcp, team.TeamId);
        await using var bhc = await WatchAsync(team.Bhc, team.TeamId);
        await bhc.Hub.InvokeAsync(nameof(HuddleHub.UnsubscribeBoard), team.TeamId);

        // The PCP keeps the team's feed alive on this host; the change reaching the PCP is the
        // barrier after which the BHC would have had it too.
        var reply = await Execute(pcp.Hub, team.TeamId, "addLane", new { title = "Unseen by the BHC" });
        Assert.Equal(reply.Version, (await pcp.Changes.ReadAsync().AsTask().Within(Timeout, "the PCP's own change")).Version);
        Assert.False(bhc.Changes.TryRead(out var leaked), $"The BHC received version {leaked?.Version} after unsubscribing.");

        var resubscribed = await Subscribe(bhc.Hub, team.TeamId);
        Assert.Equal(reply.Version, resubscribed.Board!.Version);
        Assert.True((await Execute(pcp.Hub, team.TeamId, "addLane", new { title = "Seen" })).Ok);
        Assert.Equal(reply.Version + 1, (await bhc.Changes.ReadAsync().AsTask().Within(Timeout, "the change after re-subscribing")).Version);
    }

    [Fact]
    public async Task Someone_taken_off_the_roster_stops_receiving_the_board_at_once()
    {
        var team = await app.CreateTeamAsync();
        await using var pcp = await WatchAsync(team.Pcp, team.TeamId);
        await using var bhc = await WatchAsync(team.Bhc, team.TeamId);

        // The directory drops the BHC from the team.
        using (var http = app.Http())
        {
            var roster = new Auth.DevTeamRequest("Test team", [new(team.Pcp, "Dr. Pat Carter", CareTeamRole.Pcp)], [team.Display]);
            (await http.PutAsJsonAsync($"api/dev/teams/{team.TeamId}", roster, HuddleJson.Options)).EnsureSuccessStatusCode();
        }

        // The BHC is told to re-read, and the re-read is refused.
        var reset = await bhc.Changes.ReadAsync().AsTask().Within(Timeout, "the BHC's reset");
        Assert.True(reset.Reset);
        Assert.Empty(reset.Cards);
        Assert.Equal(ErrorCodes.Forbidden, (await Subscribe(bhc.Hub, team.TeamId)).Error?.Code);
        Assert.True((await pcp.Changes.ReadAsync().AsTask().Within(Timeout, "the PCP's reset")).Reset);

        // Then the PCP adds a patient: the PCP sees it, the BHC gets nothing.
        var reply = await Execute(pcp.Hub, team.TeamId, "addCard", new { patientId = team.Patients[0], laneId = "lane-1" });
        Assert.Equal(reply.Version, (await pcp.Changes.ReadAsync().AsTask().Within(Timeout, "the PCP's change")).Version);
        Assert.False(bhc.Changes.TryRead(out var leaked), $"A former member received version {leaked?.Version}.");
    }

    [Fact]
    public async Task Changes_missed_while_the_grain_was_reactivated_make_clients_re_read()
    {
        var team = await app.CreateTeamAsync();
        await using var bhc = await app.HubAsAsync(team.Bhc);
        var changes = Changes(bhc);
        var version = (await Subscribe(bhc, team.TeamId)).Board!.Version;

        // Every idle activation goes (as after a failed write or a silo restart); the new one does
        // not know this host until the relay renews.
        var grains = app.App.Services.GetRequiredService<IGrainFactory>();
        await grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        using (var http = await app.HttpAsAsync(team.Pcp))
        {
            (await http.PostAsJsonAsync($"api/teams/{team.TeamId}/board/addLane", new { title = "While nobody listened" })).EnsureSuccessStatusCode();
        }

        await app.App.Services.GetRequiredService<Live.BoardRelay>().RenewAsync();

        var change = await changes.ReadAsync().AsTask().Within(Timeout, "the re-read signal after renewal");
        Assert.True(change.Reset);
        Assert.Equal(version + 1, change.Version);
        Assert.Equal(version + 1, (await Subscribe(bhc, team.TeamId)).Board!.Version);
    }
}
