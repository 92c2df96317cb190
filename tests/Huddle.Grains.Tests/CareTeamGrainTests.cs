using System.Threading.Channels;
using Huddle.Contracts.Boards;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Live;
using Huddle.Contracts.Patients;
using Microsoft.Extensions.DependencyInjection;

namespace Huddle.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class CareTeamGrainTests(ClusterFixture fixture)
{
    private const string Pcp = "u-pcp";
    private const string Bhc = "u-bhc";
    private const string Display = "d-room";
    private const string Board = ICareTeamGrain.BoardFeed;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    /// <summary>A new team with a fresh id, two members, a display and one patient on its panel.</summary>
    private async Task<(ICareTeamGrain Grain, string TeamId, string PatientId)> NewTeamAsync()
    {
        var teamId = $"team-{Guid.NewGuid():N}";
        var patientId = $"p-{Guid.NewGuid():N}";
        await fixture.Grains.GetGrain<IPatientGrain>(patientId).SetAsync(new PatientProfile(patientId, "Rosa Delgado", "R.D.", "Exam 3", [new CardFlag(FlagKind.Phq9, "18")], [teamId]));
        var grain = fixture.Grains.GetGrain<ICareTeamGrain>(teamId);
        await grain.SetProfileAsync(Profile(teamId));
        return (grain, teamId, patientId);
    }

    private static CareTeamProfile Profile(string teamId) => new(teamId, "Team", CareTeamStatus.Active,
        [new TeamMember(Pcp, "Dr. P", CareTeamRole.Pcp), new TeamMember(Bhc, "B. H.", CareTeamRole.Bhc)], [Display], "UTC");

    [Fact]
    public async Task An_accepted_command_is_kept_and_readable_at_the_new_version()
    {
        var (grain, _, patientId) = await NewTeamAsync();
        var result = await grain.ExecuteAsync(Pcp, new AddCard(patientId, "lane-2", Bhc, Note: "warm handoff"));
        Assert.True(result.Ok);
        Assert.Equal(1, result.Value!.Version);

        var read = (await grain.GetBoardAsync(Bhc)).Value!;
        Assert.Equal(TeamAccess.Member, read.Access);
        Assert.Equal(1, read.Board.Version);
        var card = Assert.Single(read.Board.Cards);
        Assert.Equal(("Rosa Delgado", Bhc, "warm handoff"), (card.PatientName, card.OwnerId, card.Note));
        Assert.Equal([card.Id], read.Board.FindLane("lane-2")!.CardIds);
    }

    [Fact]
    public async Task A_rejected_command_changes_nothing()
    {
        var (grain, _, patientId) = await NewTeamAsync();
        await grain.ExecuteAsync(Pcp, new AddCard(patientId, "lane-1"));
        var before = (await grain.GetBoardAsync(Pcp)).Value!.Board;

        var result = await grain.ExecuteAsync(Pcp, new MoveCard("card-5", "lane-9", 0));
        Assert.Equal(ErrorCodes.NotFound, result.Error?.Code);
        Assert.Null(result.Value);
        Assert.Equivalent(before, (await grain.GetBoardAsync(Pcp)).Value!.Board, strict: true);
    }

    [Fact]
    public async Task Membership_is_checked_on_every_read_and_write()
    {
        var (grain, _, _) = await NewTeamAsync();
        Assert.Equal(TeamAccess.None, await grain.GetAccessAsync("u-stranger"));
        Assert.Equal(TeamAccess.Display, await grain.GetAccessAsync(Display));
        Assert.Equal(ErrorCodes.Forbidden, (await grain.GetBoardAsync("u-stranger")).Error?.Code);
        Assert.Equal(ErrorCodes.Forbidden, (await grain.OpenAsync(Board, "u-stranger", null)).Error?.Code);
        Assert.Equal(ErrorCodes.Forbidden, (await grain.OpenAsync(Board, Display, null, FeedAudiences.Members)).Error?.Code);
        Assert.Equal(ErrorCodes.Forbidden, (await grain.ExecuteAsync("u-stranger", new AddLane("x"))).Error?.Code);
        Assert.Equal(ErrorCodes.Forbidden, (await grain.ExecuteAsync(Display, new AddLane("x"))).Error?.Code);
    }

    [Fact]
    public async Task An_unknown_team_is_not_found_and_keeps_no_state()
    {
        var grain = fixture.Grains.GetGrain<ICareTeamGrain>($"team-{Guid.NewGuid():N}");
        Assert.Equal(ErrorCodes.NotFound, (await grain.GetBoardAsync(Pcp)).Error?.Code);
        Assert.Equal(ErrorCodes.NotFound, (await grain.OpenAsync(Board, Pcp, null)).Error?.Code);
        Assert.Equal(ErrorCodes.NotFound, (await grain.ExecuteAsync(Pcp, new AddLane("x"))).Error?.Code);
        Assert.Null(await grain.GetProfileAsync());
    }

    [Fact]
    public async Task A_patient_from_another_team_cannot_be_put_on_the_board()
    {
        var (grain, _, _) = await NewTeamAsync();
        var (_, _, otherPatient) = await NewTeamAsync();
        Assert.Equal(ErrorCodes.Forbidden, (await grain.ExecuteAsync(Pcp, new AddCard(otherPatient, "lane-1"))).Error?.Code);
        Assert.Equal(ErrorCodes.NotFound, (await grain.ExecuteAsync(Pcp, new AddCard("p-missing", "lane-1"))).Error?.Code);
    }

    [Fact]
    public async Task Opening_the_board_gives_access_snapshot_and_version_in_one_call_filtered_for_the_wall()
    {
        var (grain, teamId, patientId) = await NewTeamAsync();
        await grain.ExecuteAsync(Pcp, new AddCard(patientId, "lane-1", Note: "private"));

        var member = (await grain.OpenAsync(Board, Bhc, null)).Value!;
        Assert.Equal((FeedAudiences.Members, 1L, true), (member.Audience, member.Seq, member.Reset));
        var snapshot = Assert.IsType<BoardSnapshot>(member.Snapshot);
        Assert.Equal((TeamAccess.Member, "Rosa Delgado", "private"), (snapshot.Access, snapshot.Board.Cards[0].PatientName, snapshot.Board.Cards[0].Note));
        Assert.Equal(teamId, snapshot.Team.TeamId);

        // The room display, and a member who opens the wall view, get the privacy-filtered board.
        foreach (var (user, audience) in new[] { (Display, (string?)null), (Pcp, FeedAudiences.Displays) })
        {
            var wall = (await grain.OpenAsync(Board, user, null, audience)).Value!;
            Assert.Equal(FeedAudiences.Displays, wall.Audience);
            var card = Assert.IsType<BoardSnapshot>(wall.Snapshot).Board.Cards[0];
            Assert.Equal(("R.D.", (string?)null), (card.PatientName, card.Note));
        }
    }

    [Fact]
    public async Task Reading_since_a_version_returns_exactly_the_missed_changes_in_order()
    {
        var (grain, teamId, _) = await NewTeamAsync();
        for (var i = 0; i < 5; i++)
        {
            await grain.ExecuteAsync(Pcp, new AddActionItem($"item {i}"));
        }

        var caughtUp = (await grain.OpenAsync(Board, Bhc, 2)).Value!;
        Assert.False(caughtUp.Reset);
        Assert.Null(caughtUp.Snapshot);
        Assert.Equal(5, caughtUp.Seq);
        Assert.Equal([3L, 4L, 5L], caughtUp.Changes.Cast<BoardChange>().Select(c => c.Version));
        Assert.Equal(["item 2", "item 3", "item 4"], caughtUp.Changes.Cast<BoardChange>().Select(c => c.ActionItems[0].Title));

        var nothing = (await grain.OpenAsync(Board, Bhc, 5)).Value!;
        Assert.Equal((false, 5L), (nothing.Reset, nothing.Seq));
        Assert.Empty(nothing.Changes);

        // A reset among the missed changes (here a roster change) is answered with the snapshot.
        await grain.SetProfileAsync(Profile(teamId));
        var afterRoster = (await grain.OpenAsync(Board, Bhc, 5)).Value!;
        Assert.True(afterRoster.Reset);
        Assert.Equal(6, Assert.IsType<BoardSnapshot>(afterRoster.Snapshot).Board.Version);

        var host = await grain.ReadSinceAsync(Board, 3);
        Assert.Equal([4L, 5L, 6L], host.Changes.Select(c => c.Seq));
        Assert.All(host.Changes, c => Assert.Equal([FeedAudiences.Members, FeedAudiences.Displays], c.Deliveries.Select(d => d.Audience)));
    }

    [Fact]
    public async Task A_version_the_grain_no_longer_keeps_is_answered_with_a_reset_and_the_snapshot()
    {
        var (grain, teamId, _) = await NewTeamAsync();
        await grain.ExecuteAsync(Pcp, new AddLane("before re-activation"));

        // A new activation starts with an empty buffer: it cannot say what came before.
        await DeactivateAsync(teamId);
        await grain.ExecuteAsync(Pcp, new AddLane("after"));

        var behind = (await grain.OpenAsync(Board, Pcp, 0)).Value!;
        Assert.True(behind.Reset);
        Assert.Equal(2, Assert.IsType<BoardSnapshot>(behind.Snapshot).Board.Version);
        Assert.True((await grain.ReadSinceAsync(Board, 0)).Reset);
        Assert.Equal([2L], (await grain.ReadSinceAsync(Board, 1)).Changes.Select(c => c.Seq));
        Assert.True((await grain.ReadSinceAsync(Board, 7)).Reset);
    }

    [Fact]
    public async Task Subscribed_hosts_receive_each_change_and_displays_get_it_redacted()
    {
        var (grain, teamId, patientId) = await NewTeamAsync();
        var observer = new ChannelObserver();
        var reference = fixture.Grains.CreateObjectReference<IFeedObserver>(observer);
        Assert.Equal(0, (await grain.SubscribeAsync(Board, reference)).Seq);

        await grain.ExecuteAsync(Pcp, new AddCard(patientId, "lane-1", Note: "private"));
        var change = await observer.Next();
        Assert.Equal((new FeedId(Board, teamId), 1L), (change.Feed, change.Seq));
        var full = Assert.IsType<BoardChange>(change.For(FeedAudiences.Members));
        var wall = Assert.IsType<BoardChange>(change.For(FeedAudiences.Displays));
        Assert.Equal(("Rosa Delgado", "addCard"), (full.Cards[0].PatientName, full.Op));
        Assert.Equal(("R.D.", (string?)null), (wall.Cards[0].PatientName, wall.Cards[0].Note));
    }

    [Fact]
    public async Task An_unsubscribed_host_receives_nothing_more()
    {
        var (grain, _, _) = await NewTeamAsync();
        var observer = new ChannelObserver();
        var reference = fixture.Grains.CreateObjectReference<IFeedObserver>(observer);
        await grain.SubscribeAsync(Board, reference);
        await grain.ExecuteAsync(Pcp, new AddLane("while subscribed"));
        Assert.Equal(1, (await observer.Next()).Seq);

        await grain.UnsubscribeAsync(Board, reference);
        await grain.ExecuteAsync(Pcp, new AddLane("while away"));

        // Waited on the same observer: a grain's notifications to one observer arrive in order, so
        // had version 2 leaked it would come before version 3.
        await grain.SubscribeAsync(Board, reference);
        await grain.ExecuteAsync(Pcp, new AddLane("back"));
        Assert.Equal(3, (await observer.Next()).Seq);
    }

    [Fact]
    public async Task A_host_in_the_owners_process_is_handed_each_change_and_hint_directly_and_sent_messages_once_it_leaves()
    {
        var (grain, teamId, _) = await NewTeamAsync();
        var (messaged, local) = (new FeedProbe(), new FeedProbe());
        var reference = fixture.Grains.CreateObjectReference<IFeedObserver>(messaged);
        // Every silo's registry: the team's grain may live on any of them.
        var registries = fixture.Cluster.Silos.Select(s => s.ServiceProvider.GetRequiredService<Huddle.Grains.Live.LocalFeedHosts>()).ToList();
        var hint = new FeedHint(new FeedId(Board, teamId), FeedAudiences.Members, "hint");
        registries.ForEach(r => r.Add(reference, local));
        try
        {
            await grain.SubscribeAsync(Board, reference);
            await grain.ExecuteAsync(Pcp, new AddLane("handed over"));
            // A direct call: the change is with the host before the command's reply.
            Assert.Equal(1, local.ChangesWaiting);
            Assert.Equal(1, (await local.NextAsync()).Seq);
            await Huddle.Grains.Live.FeedHints.SendAsync([(reference, hint)], new(), (ex, _) => Assert.Fail(ex.Message), localHosts: registries[0]);
            Assert.Equal(hint, await local.NextHintAsync());
        }
        finally
        {
            registries.ForEach(r => r.Remove(reference));
        }

        await grain.ExecuteAsync(Pcp, new AddLane("by message"));
        await Huddle.Grains.Live.FeedHints.SendAsync([(reference, hint with { Payload = "second" })], new(), (ex, _) => Assert.Fail(ex.Message), localHosts: registries[0]);
        // Waited on the same probe: a grain's messages to one observer arrive in order, so had version 1
        // or the first hint gone by message too, they would have come first.
        Assert.Equal(2, (await messaged.NextAsync()).Seq);
        Assert.Equal("second", (await messaged.NextHintAsync()).Payload);
        Assert.Equal((0, 0), (local.ChangesWaiting, messaged.ChangesWaiting));
    }

    [Fact]
    public async Task A_roster_change_takes_the_next_version_and_says_who_now_belongs_where()
    {
        var (grain, teamId, _) = await NewTeamAsync();
        var observer = new ChannelObserver();
        await grain.SubscribeAsync(Board, fixture.Grains.CreateObjectReference<IFeedObserver>(observer));

        await grain.SetProfileAsync(Profile(teamId) with { Members = [new TeamMember(Pcp, "Dr. P", CareTeamRole.Pcp)], DisplayIds = [Display, Bhc] });
        var change = await observer.Next();
        Assert.Equal(1, change.Seq);
        Assert.True(Assert.IsType<BoardChange>(change.For(FeedAudiences.Members)).Reset);
        Assert.Equal((FeedAudiences.Members, FeedAudiences.Displays, (string?)null), (change.Roster!.AudienceOf(Pcp), change.Roster.AudienceOf(Bhc), change.Roster.AudienceOf("u-stranger")));
        Assert.Equal(1, (await grain.GetBoardAsync(Pcp)).Value!.Board.Version);
    }

    [Fact]
    public async Task A_retried_operation_with_the_same_op_id_is_applied_once()
    {
        var (grain, _, _) = await NewTeamAsync();
        var first = await grain.ExecuteAsync(Pcp, new AddActionItem("Call the pharmacy") { OpId = "op-1" });
        var retry = await grain.ExecuteAsync(Pcp, new AddActionItem("Call the pharmacy") { OpId = "op-1" });
        Assert.Equal(1, first.Value!.Version);
        Assert.Equal(1, retry.Value!.Version);
        Assert.Single((await grain.GetBoardAsync(Pcp)).Value!.Board.ActionItems);

        // Op ids are per user; another op under a used id is refused; a malformed id too.
        Assert.Equal(2, (await grain.ExecuteAsync(Bhc, new AddActionItem("Call the pharmacy") { OpId = "op-1" })).Value!.Version);
        Assert.Equal(ErrorCodes.OpIdReused, (await grain.ExecuteAsync(Pcp, new AddLane("x") { OpId = "op-1" })).Error?.Code);
        // The same operation with other arguments is a new write under a used id: refused, not answered with the first result.
        Assert.Equal(ErrorCodes.OpIdReused, (await grain.ExecuteAsync(Pcp, new AddActionItem("Call the lab") { OpId = "op-1" })).Error?.Code);
        Assert.Equal(ErrorCodes.ValidationFailed, (await grain.ExecuteAsync(Pcp, new AddLane("x") { OpId = "op 2!" })).Error?.Code);
        Assert.Equal(2, (await grain.GetBoardAsync(Pcp)).Value!.Board.ActionItems.Length);

        // A rejected operation is not remembered: fixed and retried under its id, it is judged again.
        Assert.Equal(ErrorCodes.ValidationFailed, (await grain.ExecuteAsync(Pcp, new AddActionItem(" ") { OpId = "op-3" })).Error?.Code);
        Assert.Equal(3, (await grain.ExecuteAsync(Pcp, new AddActionItem("Fixed title") { OpId = "op-3" })).Value!.Version);
    }

    [Fact]
    public async Task A_member_taken_off_the_team_is_refused_even_replaying_an_earlier_operation()
    {
        var (grain, teamId, _) = await NewTeamAsync();
        Assert.True((await grain.ExecuteAsync(Bhc, new AddActionItem("Call the pharmacy") { OpId = "op-1" })).Ok);
        await fixture.TakeOffTeamAsync(teamId, Bhc);

        var replay = await grain.ExecuteAsync(Bhc, new AddActionItem("Call the pharmacy") { OpId = "op-1" });
        Assert.Equal(ErrorCodes.Forbidden, replay.Error?.Code);
    }

    [Fact]
    public async Task The_op_id_survives_reactivation_because_it_is_stored_with_the_change()
    {
        var (grain, teamId, _) = await NewTeamAsync();
        Assert.Equal(1, (await grain.ExecuteAsync(Pcp, new AddNote(NoteKind.LookBack, "ED visit") { OpId = "note-1" })).Value!.Version);
        await DeactivateAsync(teamId);

        Assert.Equal(1, (await grain.ExecuteAsync(Pcp, new AddNote(NoteKind.LookBack, "ED visit") { OpId = "note-1" })).Value!.Version);
        Assert.Single((await grain.GetBoardAsync(Pcp)).Value!.Board.Notes);
    }

    [Fact]
    public async Task A_new_day_rolls_the_board_over_and_tells_subscribers_to_refetch()
    {
        var (grain, _, patientId) = await NewTeamAsync();
        await grain.ExecuteAsync(Pcp, new AddCard(patientId, "lane-1"));
        await grain.ExecuteAsync(Pcp, new StartHuddle());
        var observer = new ChannelObserver();
        await grain.SubscribeAsync(Board, fixture.Grains.CreateObjectReference<IFeedObserver>(observer));

        // The shared clock only moves forward; other tests make fresh teams and do not care which day it is.
        var today = fixture.Clock.GetUtcNow();
        fixture.Clock.Advance(TimeSpan.FromDays(1));
        // The team's midnight timer turns the day; a read only shows it.
        await Huddle.Testing.Eventually.Until(
            async () => (await grain.GetBoardAsync(Pcp)).Value!.Board.Day > DateOnly.FromDateTime(today.UtcDateTime), Wait, "the board to turn to the new day");
        var board = (await grain.GetBoardAsync(Pcp)).Value!.Board;
        Assert.Equal(DateOnly.FromDateTime(today.UtcDateTime).AddDays(1), board.Day);
        Assert.Null(board.Session);
        Assert.Single(board.Cards);
        Assert.Equal(3, board.Version);
        var change = Assert.IsType<BoardChange>((await observer.Next()).For(FeedAudiences.Members));
        Assert.True(change.Reset);
        Assert.Equal("newDay", change.Op);

        // Yesterday is kept as it ended, in a history page of its own.
        var yesterday = DateOnly.FromDateTime(today.UtcDateTime);
        var past = await grain.GetHistoryAsync(Bhc, yesterday.AddDays(-7), yesterday);
        var day = Assert.Single(past.Value);
        Assert.Equal((yesterday, 2L), (day.Day, day.Version));
        Assert.Equal(Pcp, day.Session!.StartedBy);
        Assert.Equal(ErrorCodes.Forbidden, (await grain.GetHistoryAsync(Display, yesterday, yesterday)).Error?.Code);
        Assert.Equal(ErrorCodes.ValidationFailed, (await grain.GetHistoryAsync(Pcp, yesterday.AddDays(-31), yesterday)).Error?.Code);
        Assert.Equal(ErrorCodes.ValidationFailed, (await grain.GetHistoryAsync(Pcp, yesterday, yesterday.AddDays(-1))).Error?.Code);
    }

    [Fact]
    public async Task A_patients_teams_decide_which_panels_list_it()
    {
        var (_, teamId, patientId) = await NewTeamAsync();
        var (other, otherId, _) = await NewTeamAsync();
        var panel = fixture.Grains.GetGrain<IPanelGrain>(teamId);
        Assert.Equal([patientId], (await panel.GetPageAsync(Pcp, null, 0, 10)).Value!.Patients.Select(p => p.PatientId));

        // The patient moves to the other team: it leaves this panel and joins that one.
        var patient = fixture.Grains.GetGrain<IPatientGrain>(patientId);
        await patient.SetAsync((await patient.GetAsync())! with { TeamIds = [otherId] });
        Assert.Empty((await panel.GetPageAsync(Pcp, null, 0, 10)).Value!.Patients);
        Assert.Contains(patientId, (await fixture.Grains.GetGrain<IPanelGrain>(otherId).GetPageAsync(Pcp, null, 0, 10)).Value!.Patients.Select(p => p.PatientId));
        Assert.Equal(ErrorCodes.Forbidden, (await fixture.Grains.GetGrain<ICareTeamGrain>(teamId).ExecuteAsync(Pcp, new AddCard(patientId, "lane-1"))).Error?.Code);

        Assert.Equal(ErrorCodes.Forbidden, (await panel.GetPageAsync(Display, null, 0, 10)).Error?.Code);
        Assert.Equal(ErrorCodes.Forbidden, (await panel.GetPageAsync("u-stranger", null, 0, 10)).Error?.Code);
        Assert.Equal(ErrorCodes.NotFound, (await fixture.Grains.GetGrain<IPanelGrain>($"team-{Guid.NewGuid():N}").GetPageAsync(Pcp, null, 0, 10)).Error?.Code);
        Assert.Equal(ErrorCodes.ValidationFailed, (await panel.GetPageAsync(Pcp, null, 0, PanelPage.MaxLimit + 1)).Error?.Code);
        Assert.Equal(otherId, (await other.GetProfileAsync())!.TeamId);
    }

    [Fact]
    public async Task A_primary_care_panel_of_2500_is_read_a_page_at_a_time_by_name_and_never_on_opening_the_board()
    {
        var (grain, teamId, _) = await NewTeamAsync();
        var panel = fixture.Grains.GetGrain<IPanelGrain>(teamId);
        for (var i = 0; i < 2500; i++)
        {
            await panel.AddOrUpdateAsync(new PatientProfile($"p-{i:D4}", $"Patient {i:D4}", "P.", $"Room {i % 40}", [], [teamId]));
        }

        var page = (await panel.GetPageAsync(Pcp, null, 100, 50)).Value!;
        Assert.Equal((2501, 100, 50), (page.Total, page.Offset, page.Patients.Length));
        Assert.Equal("Patient 0100", page.Patients[0].DisplayName);
        var found = (await panel.GetPageAsync(Pcp, "patient 123", 0, 100)).Value!;
        Assert.Equal(10, found.Total);
        Assert.Equal([.. Enumerable.Range(1230, 10).Select(i => $"Patient {i}")], found.Patients.Select(p => p.DisplayName));

        // None of the 2,500 patients' grains is activated by opening the board: it reads only the team's own state.
        var patients = GrainType.Create("patient");
        var management = fixture.Cluster.Client.GetGrain<IManagementGrain>(0);
        var before = (await management.GetActiveGrains(patients)).Count;
        Assert.True((await grain.OpenAsync(Board, Pcp, null)).Ok);
        Assert.Equal(before, (await management.GetActiveGrains(patients)).Count);
    }

    [Fact]
    public async Task Reads_answer_while_a_board_write_is_under_way_from_what_was_stored()
    {
        var (grain, teamId, _) = await NewTeamAsync();
        var version = (await grain.GetBoardAsync(Pcp)).Value!.Board.Version;
        Task<Result<CommandOutcome>> write;
        using (var gate = new WriteGate(grain.GetGrainId()))
        {
            // A board write whose storage call does not return (a slow or stuck table).
            write = grain.ExecuteAsync(Pcp, new AddNote(NoteKind.LookBack, "ED visit"));
            await Huddle.Testing.Eventually.Until(() => Task.FromResult(gate.Entered == 1), Wait, "the write to reach storage");

            // The ping's routing read, access, the board, its history and the feed's open and catch-up
            // all answer meanwhile, at the version storage acknowledged; none of them writes.
            Assert.Equal(teamId, (await grain.GetProfileAsync().WaitAsync(Wait))!.TeamId);
            Assert.Equal(TeamAccess.Member, await grain.GetAccessAsync(Bhc).WaitAsync(Wait));
            Assert.Equal(version, (await grain.GetBoardAsync(Pcp).WaitAsync(Wait)).Value!.Board.Version);
            Assert.True((await grain.GetHistoryAsync(Pcp, new DateOnly(2026, 1, 1), new DateOnly(2026, 1, 2)).WaitAsync(Wait)).Ok);
            var open = (await grain.OpenAsync(Board, Pcp, null).WaitAsync(Wait)).Value!;
            Assert.Equal(version, open.Seq);
            Assert.Equal(version, ((BoardSnapshot)open.Snapshot!).Board.Version);
            Assert.Equal(version, (await grain.ReadSinceAsync(Board, version).WaitAsync(Wait)).Seq);
            Assert.Equal(version, (await grain.SubscribeAsync(Board, fixture.Grains.CreateObjectReference<IFeedObserver>(new FeedProbe())).WaitAsync(Wait)).Seq);
            Assert.Equal(1, gate.Entered);
            Assert.False(write.IsCompleted);
        }

        Assert.Equal(version + 1, (await write.WaitAsync(Wait)).Value!.Version);
        Assert.Equal(version + 1, (await grain.GetBoardAsync(Pcp)).Value!.Board.Version);
    }

    [Fact]
    public async Task The_day_turns_on_a_timer_at_the_teams_midnight_and_never_inside_a_read()
    {
        var (grain, _, _) = await NewTeamAsync();
        var probe = new FeedProbe();
        await grain.SubscribeAsync(Board, fixture.Grains.CreateObjectReference<IFeedObserver>(probe));
        var before = (await grain.GetBoardAsync(Pcp)).Value!.Board;
        var now = fixture.Clock.GetUtcNow();
        var midnight = new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
        using (var gate = new WriteGate(grain.GetGrainId()))
        {
            // A second before the team's midnight (UTC): nothing turns.
            fixture.Clock.Advance(midnight - now - TimeSpan.FromSeconds(1));
            Assert.Equal(before.Day, (await grain.GetBoardAsync(Pcp)).Value!.Board.Day);
            Assert.Equal(0, gate.Entered);

            // Midnight: the team's own timer starts the rollover (its write held here), nobody reading.
            fixture.Clock.Advance(TimeSpan.FromSeconds(1));
            await Huddle.Testing.Eventually.Until(() => Task.FromResult(gate.Entered == 1), Wait, "the midnight timer to write the new day");

            // Reads meanwhile write nothing and wait for nothing: they show the day as stored.
            Assert.Equal(before.Day, (await grain.GetBoardAsync(Pcp).WaitAsync(Wait)).Value!.Board.Day);
            Assert.True((await grain.OpenAsync(Board, Bhc, before.Version).WaitAsync(Wait)).Ok);
            Assert.Equal(1, gate.Entered);
        }

        var change = Assert.IsType<BoardChange>((await probe.NextAsync()).For(FeedAudiences.Members));
        Assert.Equal(("newDay", true), (change.Op, change.Reset));
        Assert.Equal(before.Day.AddDays(1), (await grain.GetBoardAsync(Pcp)).Value!.Board.Day);
    }

    [Fact]
    public async Task A_panels_patients_are_stored_in_shards_and_an_update_rewrites_one_shard_not_the_panel()
    {
        var (_, teamId, _) = await NewTeamAsync();
        var panel = fixture.Grains.GetGrain<IPanelGrain>(teamId);
        await Task.WhenAll(Enumerable.Range(0, 5).Select(async part =>
        {
            // With the patient the team starts with: a full panel.
            for (var i = part; i < PanelPage.MaxPatients - 1; i += 5)
            {
                await panel.AddOrUpdateAsync(new PatientProfile($"p-{i:D4}", $"Patient {i:D4}", "P.", $"Room {i % 40}", [new CardFlag(FlagKind.Phq9, "12")], [teamId]));
            }
        }));
        Assert.Equal(PanelPage.MaxPatients, (await panel.GetPageAsync(Pcp, null, 0, 1)).Value!.Total);

        // No row holds the panel: the state row is never written, and the largest shard is a small
        // fraction of the panel (what one patient's update rewrites).
        Assert.False(MeasuredGrainStorage.Writes.ContainsKey(panel.GetGrainId()));
        var sizes = new List<int>();
        var services = fixture.Cluster.GetSiloServiceProvider(fixture.Cluster.Silos[0].SiloAddress);
        var serializer = services.GetRequiredService<Orleans.Storage.IGrainStorageSerializer>();
        await foreach (var shard in services.GetRequiredService<Huddle.Grains.Common.IGrainHistoryStore>()
            .ReadPagesAsync<Huddle.Grains.CareTeams.PanelShard>(panel.GetGrainId(), Huddle.Grains.CareTeams.PanelGrain.ShardsStream))
        {
            sizes.Add(serializer.Serialize(shard.Content).ToMemory().Length);
        }

        Assert.Equal(Huddle.Grains.CareTeams.PanelShard.Count, sizes.Count);
        Assert.InRange(sizes.Max(), 1, 16 * 1024);
        TestContext.Current.TestOutputHelper?.WriteLine($"Panel of {PanelPage.MaxPatients}: {sizes.Sum():N0} bytes in {sizes.Count} shards, largest {sizes.Max():N0} bytes");

        // A full panel refuses a newcomer, takes an update, and survives re-activation whole, by name.
        await Assert.ThrowsAsync<InvalidOperationException>(() => panel.AddOrUpdateAsync(new PatientProfile("p-new", "New", "N.", null, [], [teamId])));
        await panel.AddOrUpdateAsync(new PatientProfile("p-0001", "Aaron Patient", "A.P.", null, [], [teamId]));
        await fixture.Cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var first = (await panel.GetPageAsync(Pcp, null, 0, 2)).Value!;
        Assert.Equal((PanelPage.MaxPatients, "Aaron Patient", "Patient 0000"), (first.Total, first.Patients[0].DisplayName, first.Patients[1].DisplayName));
    }

    /// <summary>Collects every idle activation and waits until the team's grain is gone.</summary>
    private async Task DeactivateAsync(string teamId)
    {
        var management = fixture.Cluster.Client.GetGrain<IManagementGrain>(0);
        await management.ForceActivationCollection(TimeSpan.Zero);
        await Huddle.Testing.Eventually.Until(
            async () => (await management.GetActiveGrains(GrainType.Create("careteam"))).All(id => id.Key.ToString() != teamId),
            Wait,
            "the team's grain to deactivate");
    }

    private sealed class ChannelObserver : IFeedObserver
    {
        private readonly Channel<FeedChange> _changes = Channel.CreateUnbounded<FeedChange>();

        public Task<FeedChange> Next() => _changes.Reader.ReadAsync().AsTask().WaitAsync(Wait);

        public Task OnFeedChanged(FeedChange change)
        {
            _changes.Writer.TryWrite(change);
            return Task.CompletedTask;
        }

        public Task OnFeedHint(FeedHint hint) => Task.CompletedTask;
    }
}
