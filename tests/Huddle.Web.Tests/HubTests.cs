using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using Huddle.Contracts.Boards;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Testing;
using Huddle.Web.Auth;
using Huddle.Web.Boards;
using Huddle.Web.Http;
using Huddle.Web.Live;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Huddle.Web.Tests;

/// <summary>The hub as a client sees it: real SignalR .NET clients against the app on loopback.</summary>
public sealed class HubTests(HuddleAppFixture app)
{
    private Task<HubClient> ClientAsync(string userId) => HubClient.ConnectAsync(app, userId);

    private FeedRelay Relay => app.App.Services.GetRequiredService<FeedRelay>();

    private IEnumerable<string> WatchingUsers(string teamId) => Relay.WatchersOf(BoardRoute.FeedOf(teamId)).Select(w => w.UserId);

    [Fact]
    public async Task A_change_by_one_clinician_reaches_another_with_the_next_version()
    {
        var team = await app.CreateTeamAsync();
        await using var pcp = await ClientAsync(team.Pcp);
        await using var bhc = await ClientAsync(team.Bhc);
        await pcp.OpenAsync(team.TeamId);
        var snapshot = (await bhc.SubscribeAsync(team.TeamId)).Value!;
        Assert.Equal((TeamAccess.Member, true), (snapshot.Access, snapshot.Reset));
        Assert.Equal(snapshot.Board!.Version, snapshot.Version);
        Assert.Null(snapshot.Team); // the roster stays on the server: hub clients are not sent it

        var version = await pcp.DoAsync(team.TeamId, "addCard", new { patientId = team.Patients[0], laneId = "lane-1" });
        var change = await bhc.NextAsync("the BHC to receive the new card");

        Assert.Equal(snapshot.Board.Version + 1, change.Version);
        Assert.Equal(version, change.Version);
        Assert.Equal(("addCard", team.Pcp), (change.Op, change.ActorId));
        Assert.Equal("Alma Reyes", Assert.Single(change.Cards).PatientName);
        var merged = change.ApplyTo(snapshot.Board);
        Assert.NotNull(merged);
        Assert.Equal([change.Cards[0].Id], merged.FindLane("lane-1")!.CardIds);
    }

    [Fact]
    public async Task A_client_written_from_the_docs_reads_replies_and_changes_as_plain_json()
    {
        var team = await app.CreateTeamAsync();
        await using var pcp = await ClientAsync(team.Pcp);
        await using var watcher = await app.HubAsAsync(team.Bhc);
        var raw = Channel.CreateUnbounded<JsonElement>();
        watcher.On<JsonElement>("BoardChanged", json => raw.Writer.TryWrite(json));
        var subscription = await watcher.InvokeAsync<JsonElement>("SubscribeBoard", team.TeamId);
        Assert.True(subscription.GetProperty("ok").GetBoolean());
        Assert.Equal(JsonValueKind.Null, subscription.GetProperty("error").ValueKind);
        Assert.Equal("member", subscription.GetProperty("access").GetString());
        var version = subscription.GetProperty("board").GetProperty("version").GetInt64();
        Assert.Equal(version, subscription.GetProperty("version").GetInt64());

        var reply = await watcher.InvokeAsync<JsonElement>("Execute", team.TeamId, "addActionItem",
            JsonDocument.Parse($$"""{"title":"Call pharmacy","ownerId":"{{team.Bhc}}","opId":"c-1"}""").RootElement);
        Assert.Equal((true, version + 1), (reply.GetProperty("ok").GetBoolean(), reply.GetProperty("version").GetInt64()));
        var json = await raw.Reader.ReadAsync().AsTask().Within(HubClient.Timeout, "the change as JSON");

        Assert.Equal(team.TeamId, json.GetProperty("teamId").GetString());
        Assert.Equal(version + 1, json.GetProperty("version").GetInt64());
        Assert.Equal("addActionItem", json.GetProperty("op").GetString());
        var item = json.GetProperty("actionItems")[0];
        Assert.Equal(("Call pharmacy", "open"), (item.GetProperty("title").GetString(), item.GetProperty("status").GetString()));

        // Reconnected, it asks for what it missed after the version it had.
        var resumed = await watcher.InvokeAsync<JsonElement>("ResumeBoard", team.TeamId, version, 0L);
        Assert.Equal((true, false, version + 1), (resumed.GetProperty("ok").GetBoolean(), resumed.GetProperty("reset").GetBoolean(), resumed.GetProperty("version").GetInt64()));
        Assert.Equal("addActionItem", resumed.GetProperty("changes")[0].GetProperty("op").GetString());
        Assert.Equal(JsonValueKind.Null, resumed.GetProperty("board").ValueKind);

        var failed = await watcher.InvokeAsync<JsonElement>("Execute", team.TeamId, "addLane", JsonDocument.Parse("""{"Title":"Wrong case"}""").RootElement);
        Assert.False(failed.GetProperty("ok").GetBoolean());
        Assert.Equal(ErrorCodes.ValidationFailed, failed.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_client_cut_off_while_100_changes_happen_resumes_with_exactly_those_changes_in_order()
    {
        var team = await app.CreateTeamAsync();
        await using var pcp = await ClientAsync(team.Pcp);
        var board = await pcp.OpenAsync(team.TeamId);
        var bhc = await ClientAsync(team.Bhc);
        var copy = await bhc.OpenAsync(team.TeamId);
        await bhc.DisposeAsync();

        using var http = await app.HttpAsAsync(team.Pcp);
        for (var i = 0; i < 100; i++)
        {
            // A mix of what a huddle does: items, notes, lane renames, lanes added and removed.
            var (op, args) = (i % 4) switch
            {
                0 => ("addActionItem", (object)new { title = $"Item {i}" }),
                1 => ("addNote", new { kind = "lookAhead", text = $"Note {i}" }),
                2 => ("renameLane", new { laneId = board.Lanes[0].Id, title = $"Lane {i}" }),
                _ when board.Lanes.Length < 6 => ("addLane", new { title = $"Lane {i}" }),
                _ => ("removeLane", new { laneId = board.Lanes[^1].Id }),
            };
            (await http.PostAsJsonAsync($"api/teams/{team.TeamId}/board/{op}", args, HuddleJson.Options)).EnsureSuccessStatusCode();
            board = (await http.GetFromJsonAsync<HuddleBoard>($"api/teams/{team.TeamId}/board", HuddleJson.Options))!;
        }

        await using var back = await ClientAsync(team.Bhc);
        var resumed = (await back.ResumeAsync(team.TeamId, copy.Version)).Value!;
        Assert.False(resumed.Reset);
        Assert.Null(resumed.Board);
        Assert.Equal(copy.Version + 100, resumed.Version);
        Assert.Equal(Enumerable.Range(1, 100).Select(i => copy.Version + i), resumed.Changes.Select(c => c.Version));
        foreach (var change in resumed.Changes)
        {
            copy = change.ApplyTo(copy) ?? throw new Xunit.Sdk.XunitException($"Change {change.Version} could not be merged.");
        }

        // nextId is the server's id counter, which changes do not carry (docs/api.md: clients may ignore it).
        Assert.Equivalent(board with { NextId = copy.NextId }, copy, strict: true);

        // Live again from there: the next change arrives as an event.
        var next = await pcp.DoAsync(team.TeamId, "addLane", new { title = "After the gap" });
        Assert.Equal(next, (await back.NextAsync("the first change after resuming")).Version);
    }

    [Fact]
    public async Task A_client_further_behind_than_the_server_keeps_gets_one_reset_and_the_snapshot()
    {
        var team = await app.CreateTeamAsync();
        await using var pcp = await ClientAsync(team.Pcp);
        var start = await pcp.OpenAsync(team.TeamId);
        using var http = await app.HttpAsAsync(team.Pcp);
        for (var i = 0; i < 300; i++)
        {
            (await http.PostAsJsonAsync($"api/teams/{team.TeamId}/board/renameLane", new { laneId = "lane-1", title = $"Lane {i}" }, HuddleJson.Options)).EnsureSuccessStatusCode();
        }

        await using var bhc = await ClientAsync(team.Bhc);
        var resumed = (await bhc.ResumeAsync(team.TeamId, start.Version)).Value!;
        Assert.True(resumed.Reset);
        Assert.Empty(resumed.Changes);
        Assert.Equal((start.Version + 300, "Lane 299"), (resumed.Board!.Version, resumed.Board.Lanes[0].Title));
        Assert.Equal(resumed.Board.Version, resumed.Version);
    }

    [Fact]
    public async Task A_retried_operation_with_the_same_op_id_is_applied_once()
    {
        var team = await app.CreateTeamAsync();
        await using var pcp = await ClientAsync(team.Pcp);
        var before = await pcp.OpenAsync(team.TeamId);
        var first = await pcp.DoAsync(team.TeamId, "addActionItem", new { title = "Restock tablets", opId = "retry-1" });
        var again = await pcp.DoAsync(team.TeamId, "addActionItem", new { title = "Restock tablets", opId = "retry-1" });
        using var http = await app.HttpAsAsync(team.Pcp);
        using var overHttp = await http.PostAsJsonAsync($"api/teams/{team.TeamId}/board/addActionItem", new { title = "Restock tablets", opId = "retry-1" }, HuddleJson.Options);
        overHttp.EnsureSuccessStatusCode();

        Assert.Equal(before.Version + 1, first);
        Assert.Equal(first, again);
        Assert.Equal(first, (await overHttp.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt64());
        Assert.Single((await pcp.OpenAsync(team.TeamId)).ActionItems);
        Assert.Equal(first, (await pcp.NextAsync("the one change")).Version);
    }

    [Fact]
    public async Task Moves_and_huddle_steps_arrive_in_order_with_consecutive_versions()
    {
        var team = await app.CreateTeamAsync();
        await using var pcp = await ClientAsync(team.Pcp);
        await using var bhc = await ClientAsync(team.Bhc);
        await pcp.OpenAsync(team.TeamId);
        var board = await bhc.OpenAsync(team.TeamId);

        await pcp.DoAsync(team.TeamId, "addCard", new { patientId = team.Patients[0], laneId = "lane-1" });
        await pcp.DoAsync(team.TeamId, "addCard", new { patientId = team.Patients[1], laneId = "lane-1" });
        await pcp.DoAsync(team.TeamId, "moveCard", new { cardId = "card-5", toLaneId = "lane-2", toIndex = 0 });
        await pcp.DoAsync(team.TeamId, "startHuddle");
        await bhc.DoAsync(team.TeamId, "setAttendance", new { userId = team.Bhc, present = true });

        for (var i = 0; i < 5; i++)
        {
            var change = await bhc.NextAsync($"change {i + 1} of 5");
            board = change.ApplyTo(board) ?? throw new Xunit.Sdk.XunitException($"Change {change.Version} did not follow version {board.Version}.");
        }

        Assert.Equal(["card-5"], board.FindLane("lane-2")!.CardIds);
        Assert.Equal([team.Pcp, team.Bhc], board.Session!.Attendees);
    }

    [Fact]
    public async Task An_outsider_can_neither_subscribe_nor_change_the_board_and_is_never_registered()
    {
        var team = await app.CreateTeamAsync();
        await using var outsider = await ClientAsync(team.Outsider);
        await using var pcp = await ClientAsync(team.Pcp);
        var before = await pcp.OpenAsync(team.TeamId);

        var subscription = await outsider.SubscribeAsync(team.TeamId);
        Assert.False(subscription.Ok);
        Assert.Null(subscription.Value);
        Assert.Equal(ErrorCodes.Forbidden, subscription.Error?.Code);
        Assert.Equal(ErrorCodes.Forbidden, (await outsider.ResumeAsync(team.TeamId, 0)).Error?.Code);
        Assert.DoesNotContain(team.Outsider, WatchingUsers(team.TeamId));

        var reply = await outsider.ExecuteAsync(team.TeamId, "addLane", new { title = "Mine now" });
        Assert.Equal(ErrorCodes.Forbidden, reply.Error?.Code);
        Assert.Equal(before.Version, (await pcp.OpenAsync(team.TeamId)).Version);
    }

    [Fact]
    public async Task The_room_display_reads_a_privacy_filtered_board_and_cannot_change_it()
    {
        var team = await app.CreateTeamAsync();
        await using var pcp = await ClientAsync(team.Pcp);
        await using var screen = await ClientAsync(team.Display);
        await pcp.OpenAsync(team.TeamId);
        var subscription = (await screen.SubscribeAsync(team.TeamId)).Value!;
        Assert.Equal(TeamAccess.Display, subscription.Access);

        await pcp.DoAsync(team.TeamId, "addCard", new { patientId = team.Patients[0], laneId = "lane-1", note = "MDD, new SSRI" });
        var card = Assert.Single((await screen.NextAsync("the screen's change")).Cards);
        Assert.Equal(("A.R.", "A.R.", "Exam 1"), (card.PatientName, card.Initials, card.Room));
        Assert.Null(card.Note);

        // Catching up after a gap is filtered the same way.
        var missed = (await screen.ResumeAsync(team.TeamId, subscription.Version)).Value!;
        Assert.Equal("A.R.", Assert.Single(Assert.Single(missed.Changes).Cards).PatientName);

        var reply = await screen.ExecuteAsync(team.TeamId, "setCardNote", new { cardId = card.Id, note = "from the wall" });
        Assert.Equal(ErrorCodes.Forbidden, reply.Error?.Code);
    }

    [Fact]
    public async Task Invalid_operations_get_the_documented_error_and_leave_the_board_unchanged()
    {
        var team = await app.CreateTeamAsync();
        await using var pcp = await ClientAsync(team.Pcp);
        await pcp.DoAsync(team.TeamId, "addCard", new { patientId = team.Patients[0], laneId = "lane-1" });
        var before = await pcp.OpenAsync(team.TeamId);

        (string Op, object? Args, string Code)[] cases =
        [
            ("noSuchOp", new { }, ErrorCodes.NotFound),
            ("moveCard", new { cardId = "card-5" }, ErrorCodes.ValidationFailed),
            ("moveCard", new { cardId = "card-404", toLaneId = "lane-2", toIndex = 0 }, ErrorCodes.NotFound),
            ("moveCard", new { cardId = "card-5", toLaneId = "lane-404", toIndex = 0 }, ErrorCodes.NotFound),
            ("moveCard", new { cardId = "card-5", toLaneId = "lane-2", toIndex = 0, expectedVersion = before.Version - 1 }, ErrorCodes.VersionConflict),
            ("setCardNote", new { cardId = "card-5", note = new string('x', BoardLimits.NoteLength + 1) }, ErrorCodes.ValidationFailed),
            ("addLane", new { title = "" }, ErrorCodes.ValidationFailed),
            ("addLane", new Dictionary<string, string> { ["Title"] = "Wrong case" }, ErrorCodes.ValidationFailed),
            ("addLane", new { title = "x", colour = "red" }, ErrorCodes.ValidationFailed),
            ("addLane", new { title = "x", opId = "not valid!" }, ErrorCodes.ValidationFailed),
            ("addNote", new { kind = "sideways", text = "x" }, ErrorCodes.ValidationFailed),
            ("endHuddle", new { summary = "never started" }, ErrorCodes.InvalidState),
            ("addCard", new { patientId = "p-unknown", laneId = "lane-1" }, ErrorCodes.NotFound),
        ];
        foreach (var (op, args, code) in cases)
        {
            var reply = await pcp.ExecuteAsync(team.TeamId, op, args);
            Assert.False(reply.Ok, op);
            Assert.Equal(code, reply.Error?.Code);
            Assert.False(string.IsNullOrWhiteSpace(reply.Error?.Message));
        }

        var after = await pcp.OpenAsync(team.TeamId);
        Assert.Equal(before.Version, after.Version);
        Assert.Equivalent(before, after, strict: true);
    }

    [Fact]
    public async Task An_unknown_team_is_not_found_and_a_malformed_id_is_rejected()
    {
        var team = await app.CreateTeamAsync();
        await using var pcp = await ClientAsync(team.Pcp);
        Assert.Equal(ErrorCodes.NotFound, (await pcp.SubscribeAsync("team-does-not-exist")).Error?.Code);
        Assert.Equal(ErrorCodes.NotFound, (await pcp.ExecuteAsync("team-does-not-exist", "startHuddle")).Error?.Code);
        Assert.Equal(ErrorCodes.ValidationFailed, (await pcp.ExecuteAsync(new string('t', 65), "startHuddle")).Error?.Code);
        Assert.Equal(ErrorCodes.ValidationFailed, (await pcp.ExecuteAsync("team/../x", "startHuddle")).Error?.Code);
        Assert.Equal(ErrorCodes.ValidationFailed, (await pcp.SubscribeAsync("")).Error?.Code);
        Assert.Empty(Relay.WatchersOf(BoardRoute.FeedOf("team-does-not-exist")));
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
        await using var pcp = await ClientAsync(team.Pcp);
        await using var bhc = await ClientAsync(team.Bhc);
        await pcp.OpenAsync(team.TeamId);
        await bhc.OpenAsync(team.TeamId);
        await bhc.UnsubscribeAsync(team.TeamId);
        Assert.DoesNotContain(team.Bhc, WatchingUsers(team.TeamId));

        var unseen = await pcp.DoAsync(team.TeamId, "addLane", new { title = "Unseen by the BHC" });
        Assert.Equal(unseen, (await pcp.NextAsync("the PCP's own change")).Version);

        // Waited on the BHC's own connection: its events arrive in order, so had the change it
        // should not see leaked, it would come before the one after re-subscribing.
        Assert.Equal(unseen, (await bhc.OpenAsync(team.TeamId)).Version);
        var seen = await pcp.DoAsync(team.TeamId, "addLane", new { title = "Seen" });
        Assert.Equal(seen, (await bhc.NextAsync("the change after re-subscribing")).Version);
    }

    [Fact]
    public async Task Someone_taken_off_the_roster_stops_receiving_the_board_at_once()
    {
        var team = await app.CreateTeamAsync();
        await using var pcp = await ClientAsync(team.Pcp);
        await using var bhc = await ClientAsync(team.Bhc);
        await pcp.OpenAsync(team.TeamId);
        await bhc.OpenAsync(team.TeamId);

        // The directory drops the BHC from the team.
        await SetRosterAsync(team, [new(team.Pcp, "Dr. Pat Carter", CareTeamRole.Pcp)]);

        // The BHC is told to re-read, the re-read is refused, and the relay no longer lists the BHC.
        var reset = await bhc.NextAsync("the BHC's reset");
        Assert.True(reset.Reset);
        Assert.Empty(reset.Cards);
        Assert.Equal(ErrorCodes.Forbidden, (await bhc.SubscribeAsync(team.TeamId)).Error?.Code);
        Assert.True((await pcp.NextAsync("the PCP's reset")).Reset);
        Assert.DoesNotContain(team.Bhc, WatchingUsers(team.TeamId));

        // Then the PCP adds a patient: the PCP sees it.
        var hidden = await pcp.DoAsync(team.TeamId, "addCard", new { patientId = team.Patients[0], laneId = "lane-1" });
        Assert.Equal(hidden, (await pcp.NextAsync("the PCP's change")).Version);

        // The BHC comes back: on the same connection the next event is the re-admission's, never the card.
        await SetRosterAsync(team, [new(team.Pcp, "Dr. Pat Carter", CareTeamRole.Pcp), new(team.Bhc, "Bea Holt", CareTeamRole.Bhc)]);
        Assert.True((await bhc.OpenAsync(team.TeamId)).Cards.Length == 1);
        var visible = await pcp.DoAsync(team.TeamId, "addLane", new { title = "Welcome back" });
        var first = await bhc.NextAsync("the BHC's first event after re-admission");
        Assert.True(first.Version > hidden, $"A former member received version {first.Version} while off the roster.");
        Assert.Equal(visible, first.Version);
    }

    private async Task SetRosterAsync(TestTeam team, TeamMember[] members)
    {
        using var http = app.Http();
        var roster = new DevTeamRequest("Test team", [.. members], [team.Display]);
        (await http.PutAsJsonAsync($"api/dev/teams/{team.TeamId}", roster, HuddleJson.Options)).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task Changes_missed_while_the_grain_was_reactivated_are_replayed_at_the_next_renewal()
    {
        var team = await app.CreateTeamAsync();
        await using var bhc = await ClientAsync(team.Bhc);
        var version = (await bhc.OpenAsync(team.TeamId)).Version;

        // Every idle activation goes (as after a failed write or a silo restart); the new one does
        // not know this host until the relay renews, so its change reaches nobody at first.
        var grains = app.App.Services.GetRequiredService<IGrainFactory>();
        await grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        using (var http = await app.HttpAsAsync(team.Pcp))
        {
            (await http.PostAsJsonAsync($"api/teams/{team.TeamId}/board/addLane", new { title = "While nobody listened" })).EnsureSuccessStatusCode();
        }

        await Relay.RenewAsync();

        // The renewal finds a version this host never relayed and reads it with ReadSince: the
        // client gets the change itself, not a "re-read".
        var change = await bhc.NextAsync("the missed change after renewal");
        Assert.False(change.Reset);
        Assert.Equal((version + 1, "addLane"), (change.Version, change.Op));
        Assert.Equal(version + 1, (await bhc.OpenAsync(team.TeamId)).Version);
    }

    [Fact]
    public async Task The_relay_lists_each_connection_once_and_forgets_it_when_it_closes()
    {
        var team = await app.CreateTeamAsync();
        var bhc = await ClientAsync(team.Bhc);
        await bhc.OpenAsync(team.TeamId);
        await bhc.OpenAsync(team.TeamId);
        Assert.Single(WatchingUsers(team.TeamId), team.Bhc);

        await bhc.DisposeAsync();
        await Eventually.Until(() => Task.FromResult(!WatchingUsers(team.TeamId).Contains(team.Bhc)), HubClient.Timeout, "the closed connection to leave the registry");
        await Eventually.Until(() => Task.FromResult(Relay.WatchersOf(BoardRoute.FeedOf(team.TeamId)).Count == 0), HubClient.Timeout, "the feed to be released");
    }
}
