using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Handoffs;
using Huddle.Contracts.Live;
using Huddle.Contracts.Patients;
using Huddle.Contracts.Presence;
using Huddle.Contracts.Users;
using Huddle.Grains.Handoffs;
using Huddle.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Huddle.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class HandoffGrainTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    /// <summary>A fresh team: a PCP, BHC1 available, BHC2 on do-not-disturb, a nurse; everyone connected.</summary>
    private async Task<Team> NewTeamAsync(EscalationPolicy? policy = null)
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var team = new Team($"team-{suffix}", $"u-pcp-{suffix}", $"u-bhc1-{suffix}", $"u-bhc2-{suffix}", $"u-nurse-{suffix}", $"p-{suffix}");
        await fixture.Grains.GetGrain<ICareTeamGrain>(team.Id).SetProfileAsync(new CareTeamProfile(team.Id, "Team", CareTeamStatus.Active,
        [
            new TeamMember(team.Pcp, "Dr. P", CareTeamRole.Pcp),
            new TeamMember(team.Bhc1, "B. One", CareTeamRole.Bhc),
            new TeamMember(team.Bhc2, "B. Two", CareTeamRole.Bhc),
            new TeamMember(team.Nurse, "N. Urse", CareTeamRole.Nurse),
        ], [], "UTC"));
        await fixture.Grains.GetGrain<IPatientGrain>(team.Patient).SetAsync(new PatientProfile(team.Patient, "Rosa Delgado", "R.D.", "Exam 3", [], [team.Id]));
        foreach (var user in new[] { team.Pcp, team.Bhc1, team.Bhc2, team.Nurse })
        {
            // As sign-in does: the user's own record names their teams, so presence reaches the roster.
            await fixture.Grains.GetGrain<IUserGrain>(user).SetAsync(new UserProfile(user, user, UserKind.Clinician, null, [team.Id]));
            await fixture.Grains.GetGrain<IPresenceGrain>(user).ConnectAsync($"c-{user}");
        }

        Assert.True((await fixture.Grains.GetGrain<IPresenceGrain>(team.Bhc2).SetStatusAsync(PresenceStatus.DoNotDisturb)).Ok);
        if (policy is not null)
        {
            var set = await fixture.Grains.GetGrain<ITeamHandoffsGrain>(team.Id).SetPolicyAsync(team.Pcp, policy with
            {
                Backup1 = policy.Backup1 is null ? null : team.Nurse,
            });
            Assert.True(set.Ok, set.Error?.Message);
        }

        return team;
    }

    /// <summary>Waits for <paramref name="condition"/> (escalation runs on a timer's tick, not in the test's call).</summary>
    private static Task UntilAsync(Func<Task<bool>> condition, string what) => Eventually.Until(condition, Wait, what);

    private sealed record Team(string Id, string Pcp, string Bhc1, string Bhc2, string Nurse, string Patient);

    private static RequestHandoff Request(Team team, HandoffTarget? target = null) =>
        new(team.Id, team.Patient, "Exam 3", target ?? new HandoffTarget(Role: CareTeamRole.Bhc), HandoffPriority.Urgent, new Sbar("PHQ-9 of 18 today"));

    private async Task<(IHandoffGrain Grain, HandoffSummary Summary)> RequestAsync(Team team, HandoffTarget? target = null)
    {
        var grain = fixture.Grains.GetGrain<IHandoffGrain>($"h-{Guid.NewGuid():N}");
        var requested = await grain.RequestAsync(team.Pcp, Request(team, target));
        Assert.True(requested.Ok, requested.Error?.Message);
        return (grain, requested.Value!);
    }

    private async Task<InboxSnapshot> InboxAsync(string userId)
    {
        var open = await fixture.Grains.GetGrain<IInboxGrain>(userId).OpenAsync(IInboxGrain.Feed, userId, null);
        Assert.True(open.Ok, open.Error?.Message);
        return (InboxSnapshot)open.Value!.Snapshot!;
    }

    private async Task<Handoff> ReadAsync(IHandoffGrain grain, Team team) => (await grain.OpenAsync(team.Pcp)).Value!;

    [Fact]
    public async Task A_role_handoff_pings_the_available_consultant_and_not_the_one_on_do_not_disturb()
    {
        var team = await NewTeamAsync();
        var (_, summary) = await RequestAsync(team);
        Assert.Equal((HandoffStatus.Requested, "pinged"), (summary.Status, summary.BusinessStatus));

        var pinged = Assert.Single((await InboxAsync(team.Bhc1)).Items);
        Assert.Equal(summary.HandoffId, pinged.HandoffId);
        Assert.Empty((await InboxAsync(team.Bhc2)).Items);
        Assert.Single((await InboxAsync(team.Pcp)).Items);
        Assert.Single(((TeamHandoffsSnapshot)(await fixture.Grains.GetGrain<ITeamHandoffsGrain>(team.Id).OpenAsync(ITeamHandoffsGrain.Feed, team.Nurse, null)).Value!.Snapshot!).Items);
    }

    [Fact]
    public async Task Routing_reads_the_roster_which_knows_who_fell_silent_and_who_keeps_heartbeating()
    {
        var team = await NewTeamAsync(EscalationPolicy.Default with { PingAllAtOnce = true });
        Assert.True((await fixture.Grains.GetGrain<IPresenceGrain>(team.Bhc2).SetStatusAsync(PresenceStatus.Available)).Ok);
        var roster = fixture.Grains.GetGrain<ITeamPresenceGrain>(team.Id);
        Assert.Contains(await roster.RosterAsync(), p => p.UserId == team.Bhc1 && p.Status == PresenceStatus.Available);

        // BHC1's host dies (no heartbeat, no disconnect); BHC2 keeps heartbeating. What the presence
        // grains told the warm roster is all it has.
        var offlineAfter = fixture.OfflineAfter;
        for (var elapsed = TimeSpan.Zero; elapsed <= offlineAfter; elapsed += offlineAfter / 4)
        {
            fixture.Clock.Advance(offlineAfter / 4);
            await fixture.Grains.GetGrain<IPresenceGrain>(team.Bhc2).HeartbeatAsync($"c-{team.Bhc2}");
        }

        var (bhc1Reads, bhc2Reads) = (ReadsOf(team.Bhc1), ReadsOf(team.Bhc2));
        var (grain, _) = await RequestAsync(team);
        Assert.Equal([team.Bhc2], (await ReadAsync(grain, team)).Notified);
        // The heartbeats' tells kept BHC2 current in the roster: routing did not ask BHC2's grain;
        // BHC1's told time had passed, so the roster asked theirs, once, and learnt they are offline.
        Assert.Equal((bhc1Reads + 1, bhc2Reads), (ReadsOf(team.Bhc1), ReadsOf(team.Bhc2)));
        Assert.Contains(await roster.RosterAsync(), p => p.UserId == team.Bhc1 && p.Status == PresenceStatus.Offline);
    }

    [Fact]
    public async Task Opening_the_roster_asks_about_whoever_went_silent_so_a_target_picker_starts_right()
    {
        var team = await NewTeamAsync();
        var roster = fixture.Grains.GetGrain<ITeamPresenceGrain>(team.Id);
        await roster.RosterAsync();
        fixture.Clock.Advance(fixture.OfflineAfter + TimeSpan.FromMinutes(1));

        var open = await roster.OpenAsync(ITeamPresenceGrain.Feed, team.Pcp, null);
        Assert.True(open.Ok, open.Error?.Message);
        var snapshot = (TeamPresenceSnapshot)open.Value!.Snapshot!;
        Assert.All(snapshot.Members, m => Assert.Equal(PresenceStatus.Offline, m.Status));
    }

    [Fact]
    public async Task A_device_leaving_brings_the_rosters_offline_time_forward()
    {
        var team = await NewTeamAsync();
        var roster = fixture.Grains.GetGrain<ITeamPresenceGrain>(team.Id);
        await roster.RosterAsync();
        var bhc1 = fixture.Grains.GetGrain<IPresenceGrain>(team.Bhc1);
        var half = fixture.OfflineAfter / 2;

        // The phone's host died at the start; the laptop joins and heartbeats, so the roster is told
        // BHC1 stays online until the laptop's time runs out ...
        fixture.Clock.Advance(half / 2);
        await bhc1.ConnectAsync("laptop");
        fixture.Clock.Advance(half);
        await bhc1.HeartbeatAsync("laptop");
        // ... then the laptop closes cleanly: still online by the silent phone, but only until the
        // phone's time runs out, which is earlier than what the roster holds.
        await bhc1.DisconnectAsync("laptop");
        fixture.Clock.Advance(fixture.OfflineAfter - half);

        // A role handoff (a named clinician is pinged whatever their presence): BHC2 is on do-not-disturb.
        var (grain, _) = await RequestAsync(team);
        Assert.DoesNotContain(team.Bhc1, (await ReadAsync(grain, team)).Notified);
    }

    private static int ReadsOf(string userId) => ClusterFixture.PresenceReads.GetValueOrDefault(userId);

    [Fact]
    public async Task A_member_added_after_the_roster_warmed_up_is_still_routed()
    {
        var team = await NewTeamAsync();
        await fixture.Grains.GetGrain<ITeamPresenceGrain>(team.Id).RosterAsync();
        var newcomer = $"u-bhc3-{team.Id}";
        await fixture.Grains.GetGrain<IPresenceGrain>(newcomer).ConnectAsync($"c-{newcomer}");
        var teamGrain = fixture.Grains.GetGrain<ICareTeamGrain>(team.Id);
        var profile = (await teamGrain.GetProfileAsync())!;
        await teamGrain.SetProfileAsync(profile with { Members = profile.Members.Add(new TeamMember(newcomer, "B. Three", CareTeamRole.Bhc)) });

        var (grain, _) = await RequestAsync(team, new HandoffTarget(UserId: newcomer));
        Assert.Equal([newcomer], (await ReadAsync(grain, team)).Notified);
    }

    [Fact]
    public async Task Of_two_accepts_at_once_exactly_one_wins_and_the_other_is_told_who_has_it()
    {
        var team = await NewTeamAsync(EscalationPolicy.Default with { PingAllAtOnce = true });
        await fixture.Grains.GetGrain<IPresenceGrain>(team.Bhc2).SetStatusAsync(PresenceStatus.Available);
        var (grain, _) = await RequestAsync(team);

        var results = await Task.WhenAll(grain.ExecuteAsync(team.Bhc1, new AcceptHandoff(2)), grain.ExecuteAsync(team.Bhc2, new AcceptHandoff(3)));
        var winner = Assert.Single(results, r => r.Ok);
        var loser = Assert.Single(results, r => !r.Ok);
        Assert.Equal(HandoffErrors.AlreadyAccepted, loser.Error!.Code);
        Assert.Contains(winner.Value!.AcceptedBy!, loser.Error.Message, StringComparison.Ordinal);
        Assert.Equal(winner.Value.AcceptedBy, (await ReadAsync(grain, team)).AcceptedBy);
    }

    [Fact]
    public async Task A_cancel_racing_an_accept_ends_in_one_consistent_outcome()
    {
        var team = await NewTeamAsync();
        var (grain, _) = await RequestAsync(team, new HandoffTarget(UserId: team.Bhc1));
        var results = await Task.WhenAll(grain.ExecuteAsync(team.Bhc1, new AcceptHandoff(2)), grain.ExecuteAsync(team.Pcp, new CancelHandoff()));
        var (accept, cancel) = (results[0], results[1]);
        var final = await ReadAsync(grain, team);
        Assert.True(cancel.Ok); // a requester may withdraw an accepted handoff too
        Assert.Equal(HandoffStatus.Cancelled, final.Status);
        Assert.Equal(accept.Ok, final.AcceptedBy == team.Bhc1);
        Assert.Equal(final.History.Count(e => e.Action == HandoffActions.Accepted), accept.Ok ? 1 : 0);
    }

    [Fact]
    public async Task A_retried_accept_with_its_op_id_is_applied_once()
    {
        var team = await NewTeamAsync();
        var (grain, _) = await RequestAsync(team, new HandoffTarget(UserId: team.Bhc1));
        var first = await grain.ExecuteAsync(team.Bhc1, new AcceptHandoff(2) { OpId = "op-accept" });
        var retry = await grain.ExecuteAsync(team.Bhc1, new AcceptHandoff(2) { OpId = "op-accept" });
        Assert.Equal(first.Value!.Version, retry.Value!.Version);
        Assert.Single((await ReadAsync(grain, team)).History, e => e.Action == HandoffActions.Accepted);
        Assert.Equal(ErrorCodes.OpIdReused, (await grain.ExecuteAsync(team.Bhc1, new JoinHandoff { OpId = "op-accept" })).Error?.Code);
    }

    [Fact]
    public async Task Joining_puts_the_consultant_in_session_and_completing_takes_them_out()
    {
        var team = await NewTeamAsync();
        var (grain, _) = await RequestAsync(team, new HandoffTarget(UserId: team.Bhc1));
        await grain.ExecuteAsync(team.Bhc1, new AcceptHandoff(1));
        Assert.True((await grain.ExecuteAsync(team.Bhc1, new JoinHandoff())).Ok);
        Assert.Equal(PresenceStatus.InSession, (await fixture.Grains.GetGrain<IPresenceGrain>(team.Bhc1).GetAsync()).Status);
        Assert.Equal(HandoffStatus.Completed, (await grain.ExecuteAsync(team.Bhc1, new CompleteHandoff())).Value!.Status);
        Assert.Equal(PresenceStatus.Available, (await fixture.Grains.GetGrain<IPresenceGrain>(team.Bhc1).GetAsync()).Status);
        Assert.Empty(((TeamHandoffsSnapshot)(await fixture.Grains.GetGrain<ITeamHandoffsGrain>(team.Id).OpenAsync(ITeamHandoffsGrain.Feed, team.Pcp, null)).Value!.Snapshot!).Items);
    }

    [Fact]
    public async Task The_presence_a_join_or_a_completion_owes_is_sent_again_until_it_lands()
    {
        var team = await NewTeamAsync();
        var (grain, _) = await RequestAsync(team, new HandoffTarget(UserId: team.Bhc1));
        Assert.True((await grain.ExecuteAsync(team.Bhc1, new AcceptHandoff(2))).Ok);
        var presence = fixture.Grains.GetGrain<IPresenceGrain>(team.Bhc1);

        // The presence grain fails the join's first calls: the consultant still ends up "in session".
        Faults.FailCalls(nameof(IPresenceGrain.SetStatusAsync), team.Bhc1, 2);
        Assert.True((await grain.ExecuteAsync(team.Bhc1, new JoinHandoff())).Ok);
        await UntilAsync(async () => (await presence.GetAsync()).Status == PresenceStatus.InSession, "the consultant to be in session");
        Assert.Equal(0, Faults.CallsLeft(nameof(IPresenceGrain.SetStatusAsync), team.Bhc1));

        // And the completion's: they do not stay "in session" (every routing would pass them by).
        Faults.FailCalls(nameof(IPresenceGrain.SetStatusAsync), team.Bhc1, 2);
        Assert.True((await grain.ExecuteAsync(team.Bhc1, new CompleteHandoff())).Ok);
        await UntilAsync(async () => (await presence.GetAsync()).Status == PresenceStatus.Available, "the consultant to be available again");
        await UntilAsync(async () => !await HasReminderAsync(grain), "the reminder to go once nothing is owed");
    }

    [Fact]
    public async Task A_step_that_leaves_no_deadline_keeps_the_reminder_while_its_tells_are_in_flight()
    {
        var team = await NewTeamAsync();
        var (grain, _) = await RequestAsync(team, new HandoffTarget(UserId: team.Bhc1));
        Assert.True((await grain.ExecuteAsync(team.Bhc1, new AcceptHandoff(2))).Ok);
        Assert.True(await HasReminderAsync(grain), "an accepted handoff's stale deadline is on a reminder");

        // The desk is slow to take the cancel. Until it has, a host dying would leave a stored outbox: the
        // reminder that wakes the handoff to send it stays.
        var before = (await ReminderAsync(grain))!.ETag;
        var release = new TaskCompletionSource();
        var held = Faults.HoldCall(nameof(ITeamHandoffsGrain.TrackAsync), team.Id, release.Task);
        var cancel = grain.ExecuteAsync(team.Pcp, new CancelHandoff());
        await held.WaitAsync(Wait);
        // The step's own reminder write, made beside its tells: kept (a new ETag), not removed.
        await UntilAsync(async () => await ReminderAsync(grain) is not { } r || r.ETag != before, "the cancel to re-arm or remove the reminder");
        Assert.True(await HasReminderAsync(grain), "the reminder stays while the cancel's tells are in flight");

        release.SetResult();
        Assert.True((await cancel).Ok);
        await UntilAsync(async () => (await DeskAsync(team)).Items.IsEmpty, "the desk to drop the cancelled handoff");
        await UntilAsync(async () => !await HasReminderAsync(grain), "the reminder to go once the tells landed");
    }

    [Fact]
    public async Task A_member_taken_off_the_team_learns_nothing_from_replaying_their_request()
    {
        var team = await NewTeamAsync();
        var grain = fixture.Grains.GetGrain<IHandoffGrain>($"h-{Guid.NewGuid():N}");
        var request = Request(team, new HandoffTarget(UserId: team.Bhc1)) with { OpId = "op-request" };
        Assert.True((await grain.RequestAsync(team.Pcp, request)).Ok);
        Assert.True((await grain.ExecuteAsync(team.Bhc1, new AcceptHandoff(2))).Ok);

        // Another clinician asking under the same handoff id learns nothing of it, not even its status.
        var other = await grain.RequestAsync(team.Nurse, Request(team) with { OpId = "op-other" });
        Assert.Equal(ErrorCodes.Forbidden, other.Error?.Code);

        // The PCP is taken off the team; their replay of the request gets no summary (who accepted, when).
        await fixture.TakeOffTeamAsync(team.Id, team.Pcp);
        var replay = await grain.RequestAsync(team.Pcp, request);
        Assert.Equal(ErrorCodes.Forbidden, replay.Error?.Code);
        Assert.Null(replay.Value);
    }

    [Fact]
    public async Task Only_those_involved_or_on_the_team_open_the_details()
    {
        var team = await NewTeamAsync();
        var (grain, _) = await RequestAsync(team, new HandoffTarget(UserId: team.Bhc1));
        Assert.Equal("PHQ-9 of 18 today", (await grain.OpenAsync(team.Bhc1)).Value!.Reason.Situation);
        Assert.Equal(ErrorCodes.Forbidden, (await grain.OpenAsync("u-stranger")).Error?.Code);
        Assert.Equal(ErrorCodes.Forbidden, (await fixture.Grains.GetGrain<IInboxGrain>(team.Bhc1).OpenAsync(IInboxGrain.Feed, team.Pcp, null)).Error?.Code);
    }

    [Fact]
    public async Task An_unanswered_handoff_escalates_to_backup_1_when_the_clock_reaches_the_target_time()
    {
        var team = await NewTeamAsync(EscalationPolicy.Default with { Backup1 = "set" });
        var (grain, _) = await RequestAsync(team, new HandoffTarget(UserId: team.Bhc1));
        Assert.Empty((await InboxAsync(team.Nurse)).Items);

        fixture.Clock.Advance(TimeSpan.FromMinutes(5));
        await UntilAsync(async () => (await ReadAsync(grain, team)).BusinessStatus == "escalated to backup 1", "the escalation to backup 1");
        var ping = Assert.Single((await InboxAsync(team.Nurse)).Items);
        Assert.Equal(HandoffStatus.Requested, ping.Status);
    }

    [Fact]
    public async Task Escalation_survives_the_grain_being_deactivated_and_reactivated()
    {
        var team = await NewTeamAsync(EscalationPolicy.Default with { Backup1 = "set" });
        var (grain, summary) = await RequestAsync(team, new HandoffTarget(UserId: team.Bhc1));
        var management = fixture.Grains.GetGrain<IManagementGrain>(0);
        await management.DeactivateGrain(grain.GetGrainId());
        // Asked of the silos' catalogs: the directory may still name a gone activation for a while.
        await UntilAsync(async () => !(await management.GetActiveGrains(grain.GetGrainId().Type)).Contains(grain.GetGrainId()), "the handoff's grain to deactivate");

        // The deadline is in durable reminders, not only in the gone activation's timer.
        var reminders = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<IReminderTable>();
        Assert.Contains((await reminders.ReadRows(grain.GetGrainId())).Reminders, r => r.ReminderName == HandoffGrain.EscalationReminder);

        // The target time passes while nothing is active; the reminder's tick wakes a new activation.
        fixture.Clock.Advance(TimeSpan.FromMinutes(6));
        await grain.AsReference<IRemindable>().ReceiveReminder(HandoffGrain.EscalationReminder, default);
        Assert.Equal("escalated to backup 1", (await ReadAsync(grain, team)).BusinessStatus);

        // The new activation re-armed its timer from the stored deadline: the next step comes on time
        // (the whole role is BHC1, pinged already, and BHC2 on do-not-disturb: skipped, so no response).
        fixture.Clock.Advance(TimeSpan.FromMinutes(5));
        await UntilAsync(async () => (await ReadAsync(grain, team)).Status == HandoffStatus.Failed, "no response");
        var failed = await ReadAsync(grain, team);
        Assert.Equal([HandoffActions.Requested, HandoffActions.Pinged, HandoffActions.Escalated, HandoffActions.Skipped, HandoffActions.NoResponse],
            failed.History.Select(e => e.Action));
        Assert.Equal(summary.HandoffId, failed.HandoffId);
        Assert.Equal("no response", failed.BusinessStatus);
        Assert.DoesNotContain((await reminders.ReadRows(grain.GetGrainId())).Reminders, r => r.ReminderName == HandoffGrain.EscalationReminder);
        Assert.Equal(HandoffStatus.Failed, (await InboxAsync(team.Pcp)).Items.Single(i => i.HandoffId == summary.HandoffId).Status);
    }

    [Fact]
    public async Task The_inbox_feed_numbers_its_changes_for_its_owner_alone()
    {
        var team = await NewTeamAsync();
        var inbox = fixture.Grains.GetGrain<IInboxGrain>(team.Bhc1);
        var (grain, _) = await RequestAsync(team, new HandoffTarget(UserId: team.Bhc1));
        var before = (await inbox.OpenAsync(IInboxGrain.Feed, team.Bhc1, null)).Value!.Seq;
        await grain.ExecuteAsync(team.Bhc1, new AcceptHandoff(4));

        var open = (await inbox.OpenAsync(IInboxGrain.Feed, team.Bhc1, before)).Value!;
        Assert.Equal((FeedAudiences.User(team.Bhc1), false, before + 1), (open.Audience, open.Reset, open.Seq));
        var change = (InboxChange)Assert.Single(open.Changes);
        Assert.Equal((HandoffStatus.Accepted, false), (change.Item!.Status, change.Ping));
        Assert.Equal("Warm handoff accepted — Exam 3 — open Huddle", change.Notice);
    }

    [Fact]
    public async Task The_ping_is_hinted_to_the_hosts_watching_the_inbox_straight_after_the_handoffs_write_before_the_inbox_writes()
    {
        var team = await NewTeamAsync();
        var inbox = fixture.Grains.GetGrain<IInboxGrain>(team.Bhc1);
        var probe = new FeedProbe();
        var host = fixture.Grains.CreateObjectReference<IFeedObserver>(probe);
        await inbox.SubscribeAsync(IInboxGrain.Feed, host);

        Task<Result<HandoffSummary>> request;
        using (var inboxWrites = new WriteGate(inbox.GetGrainId()))
        {
            var grain = fixture.Grains.GetGrain<IHandoffGrain>($"h-{Guid.NewGuid():N}");
            request = grain.RequestAsync(team.Pcp, Request(team, new HandoffTarget(UserId: team.Bhc1)));

            // The inbox's own row is still being written (held), and the ping is already at the host.
            var hint = await probe.NextHintAsync();
            Assert.Equal((new FeedId(IInboxGrain.Feed, team.Bhc1), FeedAudiences.User(team.Bhc1)), (hint.Feed, hint.Audience));
            var ping = Assert.IsType<InboxChange>(hint.Payload);
            Assert.Equal((true, true, 0L, team.Bhc1), (ping.Hint, ping.Ping, ping.Seq, ping.UserId));
            Assert.Equal((HandoffStatus.Requested, "Urgent warm handoff — Exam 3 — open Huddle"), (ping.Item!.Status, ping.Notice));
            await UntilAsync(() => Task.FromResult(inboxWrites.Entered > 0), "the inbox's write to reach the gate");
            Assert.Equal(0, probe.ChangesWaiting);
            Assert.False(request.IsCompleted);

            // The numbered change follows once the inbox has written it, with the same version.
            inboxWrites.Dispose();
            var numbered = (InboxChange)(await probe.NextAsync()).For(FeedAudiences.User(team.Bhc1))!;
            Assert.Equal((false, true, ping.Item.Version, ping.Item.HandoffId), (numbered.Hint, numbered.Ping, numbered.Item!.Version, numbered.Item.HandoffId));
        }

        Assert.True((await request).Ok);
    }

    [Fact]
    public async Task The_inbox_writes_wait_for_the_host_to_send_the_ping_and_for_a_host_that_never_answers_only_the_bound()
    {
        var team = await NewTeamAsync();
        var inbox = fixture.Grains.GetGrain<IInboxGrain>(team.Bhc1);
        var probe = new FeedProbe { HintAnswer = new(TaskCreationOptions.RunContinuationsAsynchronously) };
        await inbox.SubscribeAsync(IInboxGrain.Feed, fixture.Grains.CreateObjectReference<IFeedObserver>(probe));
        using (var inboxWrites = new WriteGate(inbox.GetGrainId()))
        {
            // The host took the hint and has not answered: the handoff holds its tells, the inbox's write first among them.
            var grain = fixture.Grains.GetGrain<IHandoffGrain>($"h-{Guid.NewGuid():N}");
            var request = grain.RequestAsync(team.Pcp, Request(team, new HandoffTarget(UserId: team.Bhc1)));
            await probe.NextHintAsync();

            // It never answers: the tells go out once the wait (ClusterFixture.HintWait) is over, and the request
            // succeeds. Timed from the hint's arrival to the write's, both taken where they happen (not when
            // this test got to look), so a slow test thread moves neither.
            await UntilAsync(() => Task.FromResult(inboxWrites.Entered > 0), "the inbox's write to start after the hint wait");
            var held = System.Diagnostics.Stopwatch.GetElapsedTime(probe.LastHintAt, inboxWrites.FirstEnteredAt);
            Assert.InRange(held, ClusterFixture.HintWait - TimeSpan.FromSeconds(1), TimeSpan.MaxValue);
            inboxWrites.Dispose();
            Assert.True((await request).Ok);

            // And the host's other calls were never held behind the unanswered hint: the numbered change is there.
            var numbered = (InboxChange)(await probe.NextAsync()).For(FeedAudiences.User(team.Bhc1))!;
            Assert.Equal((false, true), (numbered.Hint, numbered.Ping));
        }

        probe.HintAnswer.TrySetResult();
    }

    [Fact]
    public async Task A_prepared_handoffs_request_reads_nothing_from_storage_on_the_pings_path()
    {
        var team = await NewTeamAsync();
        var grain = fixture.Grains.GetGrain<IHandoffGrain>($"h-{Guid.NewGuid():N}");
        await grain.PrepareAsync();
        Assert.Equal(1, MeasuredGrainStorage.Reads.GetValueOrDefault(grain.GetGrainId()));
        Assert.False(MeasuredGrainStorage.Writes.ContainsKey(grain.GetGrainId()));
        Assert.Equal(ErrorCodes.NotFound, (await grain.OpenAsync(team.Pcp)).Error?.Code);

        // The request finds its (empty) row already read: its one storage operation before the ping is its
        // write (the outbox's acknowledgements are written after, off the ping's path).
        Assert.True((await grain.RequestAsync(team.Pcp, Request(team, new HandoffTarget(UserId: team.Bhc1)))).Ok);
        Assert.Equal(1, MeasuredGrainStorage.Reads.GetValueOrDefault(grain.GetGrainId()));
    }

    [Fact]
    public async Task No_hint_goes_out_for_a_handoff_whose_write_failed()
    {
        var team = await NewTeamAsync();
        var probe = new FeedProbe();
        await fixture.Grains.GetGrain<IInboxGrain>(team.Bhc1).SubscribeAsync(IInboxGrain.Feed, fixture.Grains.CreateObjectReference<IFeedObserver>(probe));

        var failed = fixture.Grains.GetGrain<IHandoffGrain>($"h-{Guid.NewGuid():N}");
        MeasuredGrainStorage.Hold(failed.GetGrainId(), () => Task.FromException(new IOException("Injected: storage is down.")));
        try
        {
            await Assert.ThrowsAnyAsync<Exception>(() => failed.RequestAsync(team.Pcp, Request(team, new HandoffTarget(UserId: team.Bhc1))));
        }
        finally
        {
            MeasuredGrainStorage.Open(failed.GetGrainId());
        }

        // On the same host's observer, the next hint is the next stored handoff's: none came for the failed one.
        var (_, stored) = await RequestAsync(team, new HandoffTarget(UserId: team.Bhc1));
        var hint = await probe.NextHintAsync();
        Assert.Equal(stored.HandoffId, ((InboxChange)hint.Payload).Item!.HandoffId);
    }

    [Fact]
    public async Task The_team_desk_counts_each_handoff_once_for_its_metrics_members_only()
    {
        var team = await NewTeamAsync();
        var (done, _) = await RequestAsync(team);
        fixture.Clock.Advance(TimeSpan.FromSeconds(90));
        Assert.True((await done.ExecuteAsync(team.Bhc1, new AcceptHandoff(3))).Ok);
        fixture.Clock.Advance(TimeSpan.FromSeconds(150));
        Assert.True((await done.ExecuteAsync(team.Bhc1, new JoinHandoff())).Ok);
        Assert.True((await done.ExecuteAsync(team.Bhc1, new CompleteHandoff())).Ok);
        var (withdrawn, _) = await RequestAsync(team);
        Assert.True((await withdrawn.ExecuteAsync(team.Pcp, new CancelHandoff("Patient left"))).Ok);

        var desk = fixture.Grains.GetGrain<ITeamHandoffsGrain>(team.Id);
        // Two days: the shared clock may have crossed the team's midnight between the two requests.
        var recent = (await desk.GetMetricsAsync(team.Pcp, 2)).Value!;
        Assert.Equal((2, 0), (recent.Requested, recent.StillOpen));
        Assert.Equal(new DurationStats(1, 90, 90), recent.TimeToAccept);
        Assert.Equal(new DurationStats(1, 240, 240), recent.TimeToJoin);
        Assert.Equal(1.0, recent.CompletionRate);
        Assert.Equal(0.0, recent.EscalationRate);
        Assert.Equal(30, (await desk.GetMetricsAsync(team.Pcp, 30)).Value!.Days.Length);

        Assert.Equal(ErrorCodes.Forbidden, (await desk.GetMetricsAsync("u-stranger", 7)).Error?.Code);
        Assert.Equal(ErrorCodes.ValidationFailed, (await desk.GetMetricsAsync(team.Pcp, 31)).Error?.Code);
    }

    private async Task<TeamHandoffsSnapshot> DeskAsync(Team team) =>
        (TeamHandoffsSnapshot)(await fixture.Grains.GetGrain<ITeamHandoffsGrain>(team.Id).OpenAsync(ITeamHandoffsGrain.Feed, team.Pcp, null)).Value!.Snapshot!;

    private async Task<HandoffSummary?> PatientsCopyAsync(Team team, string handoffId) =>
        (await fixture.Grains.GetGrain<IPatientGrain>(team.Patient).GetHandoffsAsync(team.Pcp)).Value!.FirstOrDefault(h => h.HandoffId == handoffId);

    private async Task<ReminderEntry?> ReminderAsync(IHandoffGrain grain) =>
        (await fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<IReminderTable>().ReadRows(grain.GetGrainId())).Reminders
            .SingleOrDefault(r => r.ReminderName == HandoffGrain.EscalationReminder);

    private async Task<bool> HasReminderAsync(IHandoffGrain grain) =>
        (await fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<IReminderTable>().ReadRows(grain.GetGrainId())).Reminders
            .Any(r => r.ReminderName == HandoffGrain.EscalationReminder);

    /// <summary>Every change of <paramref name="userId"/>'s inbox feed so far, in order.</summary>
    private async Task<IReadOnlyList<InboxChange>> InboxChangesAsync(string userId)
    {
        var open = await fixture.Grains.GetGrain<IInboxGrain>(userId).OpenAsync(IInboxGrain.Feed, userId, 0);
        Assert.True(open.Ok, open.Error?.Message);
        Assert.False(open.Value!.Reset);
        return [.. open.Value.Changes.Cast<InboxChange>()];
    }

    [Fact]
    public async Task Tells_that_fail_are_sent_again_until_the_inboxes_the_desk_and_the_patient_hold_each_step()
    {
        var team = await NewTeamAsync();
        var grain = fixture.Grains.GetGrain<IHandoffGrain>($"h-{Guid.NewGuid():N}");
        // The ping lands in the consultant's inbox but its replies are lost, so it is sent again; the
        // requester's inbox, the desk and the patient fail their first tells outright.
        Faults.FailReplies(nameof(IInboxGrain.DeliverAsync), team.Bhc1, 3);
        Faults.FailCalls(nameof(IInboxGrain.DeliverAsync), team.Pcp, 2);
        Faults.FailCalls(nameof(ITeamHandoffsGrain.TrackAsync), team.Id, 2);
        Faults.FailCalls(nameof(IPatientGrain.TrackHandoffAsync), team.Patient, 2);
        var injected = Faults.Injected;
        var requested = await grain.RequestAsync(team.Pcp, Request(team, new HandoffTarget(UserId: team.Bhc1)));
        Assert.True(requested.Ok, requested.Error?.Message);
        Assert.True(Faults.Injected > injected);
        var id = requested.Value!.HandoffId;

        await UntilAsync(async () => (await InboxAsync(team.Bhc1)).Items.Any(i => i.HandoffId == id), "the ping to reach the consultant's inbox");
        await UntilAsync(() => Task.FromResult(Faults.RepliesLeft(nameof(IInboxGrain.DeliverAsync), team.Bhc1) == 0), "the ping to be sent again after each lost reply");
        await UntilAsync(async () => (await InboxAsync(team.Pcp)).Items.Any(i => i.HandoffId == id), "the requester's inbox to list it");
        await UntilAsync(async () => (await DeskAsync(team)).Items.Any(i => i.HandoffId == id), "the desk to list the handoff");
        await UntilAsync(async () => await PatientsCopyAsync(team, id) is not null, "the patient's history to list the handoff");

        // The closing steps' tells fail too: the handoff still closes everywhere.
        Assert.True((await grain.ExecuteAsync(team.Bhc1, new AcceptHandoff(2))).Ok);
        Assert.True((await grain.ExecuteAsync(team.Bhc1, new JoinHandoff())).Ok);
        Faults.FailCalls(nameof(IInboxGrain.DeliverAsync), team.Pcp, 2);
        Faults.FailCalls(nameof(IInboxGrain.DeliverAsync), team.Bhc1, 2);
        Faults.FailCalls(nameof(ITeamHandoffsGrain.TrackAsync), team.Id, 2);
        Faults.FailCalls(nameof(IPatientGrain.TrackHandoffAsync), team.Patient, 2);
        Assert.True((await grain.ExecuteAsync(team.Bhc1, new CompleteHandoff())).Ok);

        await UntilAsync(async () => (await InboxAsync(team.Pcp)).Items.Single(i => i.HandoffId == id).Status == HandoffStatus.Completed, "the requester's inbox to show it completed");
        await UntilAsync(async () => (await InboxAsync(team.Bhc1)).Items.Single(i => i.HandoffId == id).Status == HandoffStatus.Completed, "the consultant's inbox to show it completed");
        await UntilAsync(async () => !(await DeskAsync(team)).Items.Any(i => i.HandoffId == id), "the desk to drop the closed handoff");
        await UntilAsync(async () => (await PatientsCopyAsync(team, id))?.Status == HandoffStatus.Completed, "the patient's history to show it completed");
        Assert.Equal(1.0, (await fixture.Grains.GetGrain<ITeamHandoffsGrain>(team.Id).GetMetricsAsync(team.Pcp, 1)).Value!.CompletionRate);

        // Sent again and again, the ping pinged once; nothing is owed any more, so no reminder is left.
        Assert.Single(await InboxChangesAsync(team.Bhc1), c => c.Ping);
        await UntilAsync(async () => !await HasReminderAsync(grain), "the reminder to go once nothing is owed");
    }

    [Fact]
    public async Task Owed_tells_survive_a_deactivation_and_go_out_from_the_new_activation()
    {
        var team = await NewTeamAsync();
        var grain = fixture.Grains.GetGrain<IHandoffGrain>($"h-{Guid.NewGuid():N}");
        Assert.True((await grain.RequestAsync(team.Pcp, Request(team, new HandoffTarget(UserId: team.Bhc1)))).Ok);
        Assert.True((await grain.ExecuteAsync(team.Bhc1, new AcceptHandoff(2))).Ok);
        // Far more failures than one activation's first retries: the owed tell is still owed when it goes.
        Faults.FailCalls(nameof(ITeamHandoffsGrain.TrackAsync), team.Id, 1000);
        Assert.True((await grain.ExecuteAsync(team.Pcp, new CancelHandoff())).Ok);
        Assert.True(await HasReminderAsync(grain), "a reminder carries the owed tell across a restart");

        var management = fixture.Grains.GetGrain<IManagementGrain>(0);
        await management.DeactivateGrain(grain.GetGrainId());
        await UntilAsync(async () => !(await management.GetActiveGrains(grain.GetGrainId().Type)).Contains(grain.GetGrainId()), "the handoff's grain to deactivate");
        Faults.FailCalls(nameof(ITeamHandoffsGrain.TrackAsync), team.Id, 0);

        // The reminder's tick wakes a new activation, which sends what the stored outbox owes.
        await grain.AsReference<IRemindable>().ReceiveReminder(HandoffGrain.EscalationReminder, default);
        await UntilAsync(async () => (await DeskAsync(team)).Items.IsEmpty, "the desk to drop the cancelled handoff");
        await UntilAsync(async () => !await HasReminderAsync(grain), "the reminder to go once nothing is owed");
    }

    [Fact]
    public async Task A_tell_owed_while_a_far_deadline_is_pending_is_carried_by_a_reminder_due_within_a_minute_not_at_the_deadline()
    {
        var team = await NewTeamAsync();
        var grain = fixture.Grains.GetGrain<IHandoffGrain>($"h-{Guid.NewGuid():N}");
        Assert.True((await grain.RequestAsync(team.Pcp, Request(team, new HandoffTarget(UserId: team.Bhc1)))).Ok);
        // The desk misses the accept; an accepted handoff's next deadline is the stale policy's, 12 hours on.
        Faults.FailCalls(nameof(ITeamHandoffsGrain.TrackAsync), team.Id, 1000);
        Assert.True((await grain.ExecuteAsync(team.Bhc1, new AcceptHandoff(2))).Ok);
        var reminder = await ReminderAsync(grain);
        Assert.NotNull(reminder);
        Assert.InRange(reminder.StartAt, DateTime.UtcNow - TimeSpan.FromMinutes(1), DateTime.UtcNow + TimeSpan.FromMinutes(1.5));

        // The activation dies with its retry timer: the reminder's tick, a minute on, wakes a new one that tells the desk.
        var management = fixture.Grains.GetGrain<IManagementGrain>(0);
        await management.DeactivateGrain(grain.GetGrainId());
        await UntilAsync(async () => !(await management.GetActiveGrains(grain.GetGrainId().Type)).Contains(grain.GetGrainId()), "the handoff's grain to deactivate");
        Faults.FailCalls(nameof(ITeamHandoffsGrain.TrackAsync), team.Id, 0);
        await grain.AsReference<IRemindable>().ReceiveReminder(HandoffGrain.EscalationReminder, default);
        await UntilAsync(async () => (await DeskAsync(team)).Items.Single().Status == HandoffStatus.Accepted, "the desk to show the handoff accepted");

        // Nothing owed any more: the reminder goes back to the deadline.
        await UntilAsync(async () => await ReminderAsync(grain) is { } r && r.StartAt > DateTime.UtcNow + TimeSpan.FromHours(11), "the reminder to go back to the stale deadline");
    }

    [Fact]
    public async Task A_request_whose_reminder_failed_to_register_is_re_armed_by_its_retry_and_escalates_on_time()
    {
        var team = await NewTeamAsync(EscalationPolicy.Default with { Backup1 = "set" });
        var grain = fixture.Grains.GetGrain<IHandoffGrain>($"h-{Guid.NewGuid():N}");
        var request = Request(team, new HandoffTarget(UserId: team.Bhc1)) with { OpId = "op-request" };
        // Every registration fails until the table is read: the grain's own retry (a second later) would
        // otherwise arm it before the read.
        Faults.FailReminderRegistrations(grain.GetGrainId(), 1000);
        await Assert.ThrowsAnyAsync<Exception>(() => grain.RequestAsync(team.Pcp, request));
        Assert.False(await HasReminderAsync(grain));
        Faults.FailReminderRegistrations(grain.GetGrainId(), 0);

        // The caller was told "unavailable" and retries with its op id: the same handoff, and now a durable deadline.
        var retried = await grain.RequestAsync(team.Pcp, request);
        Assert.True(retried.Ok, retried.Error?.Message);
        Assert.True(await HasReminderAsync(grain), "the retry re-armed the reminder");
        Assert.Single((await ReadAsync(grain, team)).History, e => e.Action == HandoffActions.Requested);

        // Even across a deactivation, the step comes when its time is due.
        var management = fixture.Grains.GetGrain<IManagementGrain>(0);
        await management.DeactivateGrain(grain.GetGrainId());
        await UntilAsync(async () => !(await management.GetActiveGrains(grain.GetGrainId().Type)).Contains(grain.GetGrainId()), "the handoff's grain to deactivate");
        fixture.Clock.Advance(TimeSpan.FromMinutes(5));
        await grain.AsReference<IRemindable>().ReceiveReminder(HandoffGrain.EscalationReminder, default);
        Assert.Equal("escalated to backup 1", (await ReadAsync(grain, team)).BusinessStatus);
        Assert.Single((await InboxAsync(team.Nurse)).Items);
    }

    [Fact]
    public async Task A_reminder_that_failed_to_register_is_registered_again_without_a_retry_and_the_timer_still_escalates()
    {
        var team = await NewTeamAsync(EscalationPolicy.Default with { Backup1 = "set" });
        var grain = fixture.Grains.GetGrain<IHandoffGrain>($"h-{Guid.NewGuid():N}");
        Faults.FailReminderRegistrations(grain.GetGrainId(), 2);
        await Assert.ThrowsAnyAsync<Exception>(() => grain.RequestAsync(team.Pcp, Request(team, new HandoffTarget(UserId: team.Bhc1))));

        await UntilAsync(() => HasReminderAsync(grain), "the grain's own retry to register the reminder");
        fixture.Clock.Advance(TimeSpan.FromMinutes(5));
        await UntilAsync(async () => (await ReadAsync(grain, team)).BusinessStatus == "escalated to backup 1", "the escalation to backup 1");
    }

    [Fact]
    public async Task A_handoff_whose_team_is_gone_fails_with_a_recorded_status_instead_of_looping()
    {
        var team = await NewTeamAsync();
        var (grain, summary) = await RequestAsync(team, new HandoffTarget(UserId: team.Bhc1));
        Faults.AnswerNull(nameof(ICareTeamGrain.GetProfileAsync), team.Id, int.MaxValue);
        try
        {
            fixture.Clock.Advance(TimeSpan.FromMinutes(5));
            await UntilAsync(async () => (await ReadAsync(grain, team)).Status == HandoffStatus.Failed, "the handoff to fail");
            var failed = await ReadAsync(grain, team);
            Assert.Equal((Escalation.TeamMissing, HandoffActions.TeamMissing, (DateTimeOffset?)null), (failed.BusinessStatus, failed.History[^1].Action, failed.DeadlineAt));
            await UntilAsync(async () => (await InboxAsync(team.Pcp)).Items.Single(i => i.HandoffId == summary.HandoffId).Status == HandoffStatus.Failed, "the requester to be told");
            await UntilAsync(async () => !await HasReminderAsync(grain), "the reminder to be removed");
        }
        finally
        {
            Faults.AnswerNull(nameof(ICareTeamGrain.GetProfileAsync), team.Id, 0);
        }
    }

    [Fact]
    public async Task A_patient_not_on_the_team_is_refused_and_nothing_is_stored()
    {
        var team = await NewTeamAsync();
        var other = $"p-other-{Guid.NewGuid():N}"[..24];
        await fixture.Grains.GetGrain<IPatientGrain>(other).SetAsync(new PatientProfile(other, "Ann Other", "A.O.", null, [], ["team-elsewhere"]));
        var grain = fixture.Grains.GetGrain<IHandoffGrain>($"h-{Guid.NewGuid():N}");

        var refused = await grain.RequestAsync(team.Pcp, Request(team) with { PatientId = other });
        Assert.Equal(HandoffErrors.PatientNotOnTeam, refused.Error?.Code);
        Assert.Equal(ErrorCodes.NotFound, (await grain.RequestAsync(team.Pcp, Request(team) with { PatientId = "p-nobody" })).Error?.Code);
        Assert.Equal(ErrorCodes.NotFound, (await grain.OpenAsync(team.Pcp)).Error?.Code);
        Assert.Empty((await InboxAsync(team.Bhc1)).Items);
    }

    [Fact]
    public async Task An_op_id_reused_with_other_arguments_is_refused_and_applies_nothing()
    {
        var team = await NewTeamAsync();
        var grain = fixture.Grains.GetGrain<IHandoffGrain>($"h-{Guid.NewGuid():N}");
        var request = Request(team, new HandoffTarget(UserId: team.Bhc1)) with { OpId = "op-req" };
        Assert.True((await grain.RequestAsync(team.Pcp, request)).Ok);
        Assert.True((await grain.RequestAsync(team.Pcp, request)).Ok);
        Assert.Equal(ErrorCodes.OpIdReused, (await grain.RequestAsync(team.Pcp, request with { Room = "Exam 9" })).Error?.Code);

        var accepted = await grain.ExecuteAsync(team.Bhc1, new AcceptHandoff(2) { OpId = "op-acc" });
        Assert.True(accepted.Ok);
        Assert.Equal(ErrorCodes.OpIdReused, (await grain.ExecuteAsync(team.Bhc1, new AcceptHandoff(9) { OpId = "op-acc" })).Error?.Code);
        var stored = await ReadAsync(grain, team);
        Assert.Equal(("Exam 3", accepted.Value!.Eta, accepted.Value.Version), (stored.Room, stored.Eta, stored.Version));
    }

    [Fact]
    public void An_op_id_stored_before_argument_hashes_matches_any_arguments_of_its_operation()
    {
        var old = new Huddle.Grains.Common.AppliedOperation("u-1", "op-1", "accept", 2, DateTimeOffset.UnixEpoch);
        Assert.True(old.IsSameAs("accept", "anything"));
        Assert.False(old.IsSameAs("decline", "anything"));
        var hashed = old with { ArgumentsHash = Huddle.Grains.Common.OperationLog.HashOf(new AcceptHandoff(2)) };
        Assert.True(hashed.IsSameAs("accept", Huddle.Grains.Common.OperationLog.HashOf(new AcceptHandoff(2))));
        Assert.False(hashed.IsSameAs("accept", Huddle.Grains.Common.OperationLog.HashOf(new AcceptHandoff(3))));
    }

    [Fact]
    public async Task An_accepted_handoff_nobody_completes_is_closed_as_stale_and_every_copy_is_told()
    {
        var team = await NewTeamAsync();
        var (grain, summary) = await RequestAsync(team, new HandoffTarget(UserId: team.Bhc1));
        Assert.True((await grain.ExecuteAsync(team.Bhc1, new AcceptHandoff(5))).Ok);
        Assert.NotNull((await ReadAsync(grain, team)).StaleAt);

        fixture.Clock.Advance(new HandoffOptions().AcceptedStaleAfter!.Value + TimeSpan.FromMinutes(1));
        await UntilAsync(async () => (await ReadAsync(grain, team)).Status == HandoffStatus.Failed, "the stale handoff to close");
        var closed = await ReadAsync(grain, team);
        Assert.Equal((Staleness.Closed, HandoffActions.ClosedAsStale, Escalation.System), (closed.BusinessStatus, closed.History[^1].Action, closed.History[^1].ActorId));
        await UntilAsync(async () => !(await DeskAsync(team)).Items.Any(i => i.HandoffId == summary.HandoffId), "the desk to drop it");
        await UntilAsync(async () => (await InboxAsync(team.Bhc1)).Items.Single(i => i.HandoffId == summary.HandoffId).BusinessStatus == Staleness.Closed, "the consultant's inbox to show it");
        await UntilAsync(async () => (await PatientsCopyAsync(team, summary.HandoffId))?.Status == HandoffStatus.Failed, "the patient's history to show it");
    }

    [Fact]
    public async Task A_referral_never_attended_is_closed_as_stale()
    {
        var team = await NewTeamAsync();
        var (grain, summary) = await RequestAsync(team, new HandoffTarget(UserId: team.Bhc1));
        // No backup, BHC2 on do-not-disturb: when the target time passes, nobody else is left and it fails.
        fixture.Clock.Advance(TimeSpan.FromMinutes(5));
        await UntilAsync(async () => (await ReadAsync(grain, team)).Status == HandoffStatus.Failed, "no response");
        Assert.True((await grain.ExecuteAsync(team.Pcp, new ScheduleReferral())).Ok);

        fixture.Clock.Advance(new HandoffOptions().ReferralStaleAfter!.Value + TimeSpan.FromMinutes(1));
        await UntilAsync(async () => (await ReadAsync(grain, team)).Referral?.Status == ReferralStatus.Closed, "the stale referral to close");
        Assert.Equal(Staleness.ReferralClosed, (await ReadAsync(grain, team)).BusinessStatus);
        await UntilAsync(async () => (await InboxAsync(team.Pcp)).Items.Single(i => i.HandoffId == summary.HandoffId).Referral == ReferralStatus.Closed, "the requester's inbox to show it");
    }
}
