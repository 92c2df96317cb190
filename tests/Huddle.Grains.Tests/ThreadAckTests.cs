using System.Collections.Immutable;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Chat;
using Huddle.Contracts.Common;
using Huddle.Contracts.Handoffs;
using Huddle.Contracts.Live;
using Huddle.Contracts.Patients;
using Huddle.Contracts.Presence;
using Huddle.Contracts.Users;
using Huddle.Grains.Chat;
using Huddle.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Huddle.Grains.Tests;

/// <summary>Mentions, messages to a role, acknowledgement requests and their re-notification, PHI-free notifications.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ThreadAckTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private static readonly ChatAckOptions Defaults = new();

    private const string PatientName = "Rosa Delgado";

    /// <summary>
    /// A team "Maple": a PCP, BHC1 available, BHC2 busy, BHC3 on do-not-disturb, a nurse, all connected; a patient on it.
    /// </summary>
    private sealed record Team(string Id, string Pcp, string Bhc1, string Bhc2, string Bhc3, string Nurse, string Patient, string Outsider)
    {
        public string TeamThread => ThreadIds.ForTeam(Id)!;

        public string PatientThread => ThreadIds.ForPatient(Patient)!;
    }

    private async Task<Team> NewTeamAsync()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var t = new Team($"team-{suffix}", $"u-pcp-{suffix}", $"u-bhc1-{suffix}", $"u-bhc2-{suffix}", $"u-bhc3-{suffix}", $"u-nurse-{suffix}", $"p-{suffix}", $"u-out-{suffix}");
        await fixture.Grains.GetGrain<ICareTeamGrain>(t.Id).SetProfileAsync(new CareTeamProfile(t.Id, "Maple", CareTeamStatus.Active,
        [
            new TeamMember(t.Pcp, "Dr. P", CareTeamRole.Pcp),
            new TeamMember(t.Bhc1, "B. One", CareTeamRole.Bhc),
            new TeamMember(t.Bhc2, "B. Two", CareTeamRole.Bhc),
            new TeamMember(t.Bhc3, "B. Three", CareTeamRole.Bhc),
            new TeamMember(t.Nurse, "N. Urse", CareTeamRole.Nurse),
        ], [], "UTC"));
        await fixture.Grains.GetGrain<IPatientGrain>(t.Patient).SetAsync(new PatientProfile(t.Patient, PatientName, "R.D.", "Exam 3", [], [t.Id]));
        foreach (var user in new[] { t.Pcp, t.Bhc1, t.Bhc2, t.Bhc3, t.Nurse })
        {
            await fixture.Grains.GetGrain<IUserGrain>(user).SetAsync(new UserProfile(user, user, UserKind.Clinician, null, [t.Id]));
            await fixture.Grains.GetGrain<IPresenceGrain>(user).ConnectAsync($"c-{user}");
        }

        await fixture.Grains.GetGrain<IUserGrain>(t.Outsider).SetAsync(new UserProfile(t.Outsider, t.Outsider, UserKind.Clinician, null, []));
        Assert.True((await fixture.Grains.GetGrain<IPresenceGrain>(t.Bhc2).SetStatusAsync(PresenceStatus.Busy)).Ok);
        Assert.True((await fixture.Grains.GetGrain<IPresenceGrain>(t.Bhc3).SetStatusAsync(PresenceStatus.DoNotDisturb)).Ok);
        // The roster as routing reads it: BHC1 available, BHC2 busy, BHC3 on do-not-disturb.
        await Eventually.Until(async () => (await fixture.Grains.GetGrain<ITeamPresenceGrain>(t.Id).RosterAsync())
            .Any(p => p.UserId == t.Bhc3 && p.Status == PresenceStatus.DoNotDisturb), Wait, "the team's roster to hear of the presences");
        return t;
    }

    private IThreadGrain Thread(string threadId) => fixture.Grains.GetGrain<IThreadGrain>(threadId);

    /// <summary>The chat notifications in <paramref name="userId"/>'s inbox feed, in order.</summary>
    private async Task<List<InboxChange>> NoticesAsync(string userId)
    {
        var open = await fixture.Grains.GetGrain<IInboxGrain>(userId).OpenAsync(IInboxGrain.Feed, userId, 0);
        Assert.True(open.Ok, open.Error?.Message);
        Assert.False(open.Value!.Reset);
        return [.. open.Value.Changes.OfType<InboxChange>().Where(c => c.Chat is not null)];
    }

    private Task UntilNoticesAsync(string userId, Func<List<InboxChange>, bool> condition, string what) =>
        Eventually.Until(async () => condition(await NoticesAsync(userId)), Wait, what);

    private static async Task<List<ThreadMessage>> LogAsync(IThreadGrain thread)
    {
        var page = await thread.ReadSinceAsync(IThreadGrain.Feed, 0, FeedPosition.AnyEpoch, 256);
        return [.. page.Changes.Select(c => ((ThreadChange)c.For(FeedAudiences.Members)!).Message!)];
    }

    [Fact]
    public async Task A_message_to_a_role_reaches_the_member_routing_picks_and_not_the_busy_or_do_not_disturb_one()
    {
        var t = await NewTeamAsync();
        var thread = Thread(t.TeamThread);
        var sent = await thread.SendAsync(t.Pcp, new SendMessage("m-1", "Who can see the 3 pm walk-in?", ToRole: new RoleOnTeam(CareTeamRole.Bhc)));
        Assert.True(sent.Ok, sent.Error?.Message);

        // Recorded on the message: the role and whom it resolved to, as the handoff routing picks (available first).
        var stored = Assert.Single(await LogAsync(thread));
        var reach = Assert.Single(stored.Ask!.Reached);
        Assert.Equal((CareTeamRole.Bhc, t.Id), (reach.Role.Role, reach.Role.TeamId));
        Assert.Equal([t.Bhc1], reach.UserIds);
        Assert.Equal([t.Bhc1], stored.Ask.Recipients);

        await UntilNoticesAsync(t.Bhc1, n => n.Count == 1, "BHC1's notification");
        var notice = Assert.Single(await NoticesAsync(t.Bhc1)).Chat!;
        Assert.Equal((ChatNoticeKind.RoleMessage, sent.Value!.Seq), (notice.Kind, notice.Seq));
        Assert.Equal("Message to the BHC on duty — team Maple — open Huddle", notice.Text);
        // Delivered in the same turn as BHC1's (one outbox): the busy and do-not-disturb BHCs got nothing.
        Assert.Empty(await NoticesAsync(t.Bhc2));
        Assert.Empty(await NoticesAsync(t.Bhc3));
        Assert.Empty(await NoticesAsync(t.Nurse));

        // With BHC1 in session, routing reaches the busy BHC2 next (never the one on do-not-disturb).
        Assert.True((await fixture.Grains.GetGrain<IPresenceGrain>(t.Bhc1).SetStatusAsync(PresenceStatus.InSession)).Ok);
        await Eventually.Until(async () => (await fixture.Grains.GetGrain<ITeamPresenceGrain>(t.Id).RosterAsync())
            .Any(p => p.UserId == t.Bhc1 && p.Status == PresenceStatus.InSession), Wait, "the roster to hear BHC1 is in session");
        var second = await thread.SendAsync(t.Pcp, new SendMessage("m-2", "Anyone?", ToRole: new RoleOnTeam(CareTeamRole.Bhc)));
        Assert.True(second.Ok, second.Error?.Message);
        Assert.Equal([t.Bhc2], (await LogAsync(thread))[^1].Ask!.Recipients);
        await UntilNoticesAsync(t.Bhc2, n => n.Count == 1, "BHC2's notification");
        Assert.Empty(await NoticesAsync(t.Bhc3));
    }

    [Fact]
    public async Task A_role_nobody_holds_or_nobody_can_be_reached_for_and_a_non_member_mention_are_refused_and_store_nothing()
    {
        var t = await NewTeamAsync();
        var thread = Thread(t.TeamThread);
        var cases = new (SendMessage Message, string Code)[]
        {
            (new SendMessage("a", "hi", Mentions: [t.Outsider]), ErrorCodes.ValidationFailed),
            (new SendMessage("b", "hi", RoleMentions: [new RoleOnTeam(CareTeamRole.Pharmacist)]), ErrorCodes.ValidationFailed),
            (new SendMessage("c", "hi", ToRole: new RoleOnTeam(CareTeamRole.Bhc, "team-elsewhere")), ErrorCodes.ValidationFailed),
            (new SendMessage("d", "hi", Mentions: [.. Enumerable.Range(0, AckLimits.MaxMentions + 1).Select(i => $"u-{i}")]), ErrorCodes.ValidationFailed),
        };
        foreach (var (message, code) in cases)
        {
            var refused = await thread.SendAsync(t.Pcp, message);
            Assert.Equal(code, refused.Error?.Code);
        }

        // Nobody holding the role is reachable: a clear refusal, not a message to nobody.
        Assert.True((await fixture.Grains.GetGrain<IPresenceGrain>(t.Nurse).SetStatusAsync(PresenceStatus.DoNotDisturb)).Ok);
        await Eventually.Until(async () => (await fixture.Grains.GetGrain<ITeamPresenceGrain>(t.Id).RosterAsync())
            .Any(p => p.UserId == t.Nurse && p.Status == PresenceStatus.DoNotDisturb), Wait, "the roster to hear the nurse is on do-not-disturb");
        Assert.Equal(ErrorCodes.InvalidState, (await thread.SendAsync(t.Pcp, new SendMessage("e", "hi", ToRole: new RoleOnTeam(CareTeamRole.Nurse)))).Error?.Code);

        // A direct thread has no roles.
        var direct = ThreadIds.ForDirect(t.Pcp, t.Bhc1)!;
        Assert.True((await Thread(direct).StartDirectAsync(t.Pcp, t.Bhc1)).Ok);
        Assert.Equal(ErrorCodes.ValidationFailed, (await Thread(direct).SendAsync(t.Pcp, new SendMessage("f", "hi", ToRole: new RoleOnTeam(CareTeamRole.Bhc)))).Error?.Code);

        Assert.Empty(await LogAsync(thread));
        Assert.Equal(1, (await thread.SendAsync(t.Pcp, new SendMessage("g", "hi"))).Value!.Seq);
    }

    [Fact]
    public async Task A_mention_notifies_the_mentioned_clinician_only_and_the_notification_carries_no_patient_or_message_text()
    {
        var t = await NewTeamAsync();
        var inbox = fixture.Grains.GetGrain<IInboxGrain>(t.Bhc1);
        // A host watching BHC1's inbox: the hint comes to it straight after the thread's write.
        var host = new FeedProbe();
        var reference = fixture.Grains.CreateObjectReference<IFeedObserver>(host);
        await inbox.SubscribeAsync(IInboxGrain.Feed, reference);

        var thread = Thread(t.PatientThread);
        const string Text = "Rosa Delgado's PHQ-9 is 18 today, can you call her about sertraline?";
        var sent = await thread.SendAsync(t.Pcp, new SendMessage("m-1", Text, MessagePriority.Urgent, Mentions: [t.Bhc1]));
        Assert.True(sent.Ok, sent.Error?.Message);

        var hint = await host.NextHintAsync();
        var hinted = (InboxChange)hint.Payload;
        await UntilNoticesAsync(t.Bhc1, n => n.Count == 1, "BHC1's mention");
        var numbered = Assert.Single(await NoticesAsync(t.Bhc1));
        foreach (var change in new[] { hinted, numbered })
        {
            Assert.Null(change.Item);
            Assert.Equal("Urgent: you were mentioned — patient thread — open Huddle", change.Notice);
            Assert.Equal(change.Notice, change.Chat!.Text);
            Assert.Equal((t.PatientThread, sent.Value!.Seq, ChatNoticeKind.Mention), (change.Chat.ThreadId, change.Chat.Seq, change.Chat.Kind));
            // The whole payload, as it goes over the wire: no patient name, no word of the message.
            var payload = change.ToString();
            Assert.DoesNotContain(PatientName, payload, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("Delgado", payload, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("PHQ", payload, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("sertraline", payload, StringComparison.OrdinalIgnoreCase);
            // (The thread id it names carries the patient's id, which is opaque by design: never an MRN or a name.)
        }

        Assert.True(hinted.Hint);
        Assert.Equal(0, hinted.Seq);
        Assert.Equal(hinted.Chat!.Key, numbered.Chat!.Key);

        // An urgent message notifies the thread's other members too, as "urgent" (the sender never).
        foreach (var other in new[] { t.Bhc2, t.Bhc3, t.Nurse })
        {
            await UntilNoticesAsync(other, n => n.Count == 1, $"{other}'s urgent notice");
            Assert.Equal("Urgent message — patient thread — open Huddle", Assert.Single(await NoticesAsync(other)).Notice);
        }

        Assert.Empty(await NoticesAsync(t.Pcp));

        // A normal message that mentions nobody notifies nobody.
        Assert.True((await thread.SendAsync(t.Pcp, new SendMessage("m-2", "thanks"))).Ok);
        Assert.True((await thread.SendAsync(t.Pcp, new SendMessage("m-3", "and you", Mentions: [t.Nurse]))).Ok);
        await UntilNoticesAsync(t.Nurse, n => n.Count == 2, "the nurse's mention");
        Assert.Single(await NoticesAsync(t.Bhc1));
    }

    [Fact]
    public async Task An_ack_request_is_renotified_every_interval_n_times_to_whoever_has_not_acknowledged_then_the_sender_is_told()
    {
        var t = await NewTeamAsync();
        var thread = Thread(t.TeamThread);
        var sent = (await thread.SendAsync(t.Pcp, new SendMessage("m-1", "Please confirm you saw the safety plan.", AckRequested: true, Mentions: [t.Bhc1, t.Nurse]))).Value!;
        await UntilNoticesAsync(t.Bhc1, n => n.Count == 1, "the request's first notification");
        Assert.Equal(ChatNoticeKind.AckRequested, (await NoticesAsync(t.Bhc1))[0].Chat!.Kind);

        for (var round = 1; round <= Defaults.AckRenotifyCount; round++)
        {
            fixture.Clock.Advance(Defaults.AckRenotifyInterval);
            await UntilNoticesAsync(t.Bhc1, n => n.Count == round + 1, $"re-notification {round}");
            var reminder = (await NoticesAsync(t.Bhc1))[^1];
            Assert.Equal((ChatNoticeKind.AckReminder, round), (reminder.Chat!.Kind, reminder.Chat.Round));
            Assert.Equal($"Reminder {round} of {Defaults.AckRenotifyCount}: acknowledgement requested — team Maple — open Huddle", reminder.Notice);
            if (round == 2)
            {
                Assert.True((await thread.AcknowledgeAsync(t.Nurse, sent.Seq, "ack-1")).Ok);
            }
        }

        Assert.Empty(await NoticesAsync(t.Pcp));
        fixture.Clock.Advance(Defaults.AckRenotifyInterval);
        await UntilNoticesAsync(t.Pcp, n => n.Count == 1, "the sender to be told");
        Assert.Equal("Not acknowledged by 1 of 2 — team Maple — open Huddle", Assert.Single(await NoticesAsync(t.Pcp)).Notice);

        // Visible on the message: an entry naming who has not acknowledged.
        var unanswered = (await LogAsync(thread)).Last();
        Assert.Equal((ThreadEntryKind.AckUnanswered, sent.Seq, AckLimits.System), (unanswered.Kind, unanswered.Refers, unanswered.SenderId));
        Assert.Equal([t.Bhc1], unanswered.Waiting!.Value);

        // The nurse, who acknowledged after the second, got no more; the request is closed: nothing more for anyone.
        Assert.Equal([ChatNoticeKind.AckRequested, ChatNoticeKind.AckReminder, ChatNoticeKind.AckReminder],
            (await NoticesAsync(t.Nurse)).Select(n => n.Chat!.Kind));
        fixture.Clock.Advance(Defaults.AckRenotifyInterval * 2);
        var marker = await thread.SendAsync(t.Pcp, new SendMessage("m-2", "ok", Mentions: [t.Bhc1]));
        await UntilNoticesAsync(t.Bhc1, n => n.Last().Chat!.Seq == marker.Value!.Seq, "a later mention");
        Assert.Equal(Defaults.AckRenotifyCount + 2, (await NoticesAsync(t.Bhc1)).Count);
    }

    [Fact]
    public async Task An_unanswered_role_reaches_whoever_holds_it_now_at_the_next_reminder_and_any_holders_acknowledgement_answers_it()
    {
        var t = await NewTeamAsync();
        var thread = Thread(t.TeamThread);
        var sent = (await thread.SendAsync(t.Pcp, new SendMessage("m-1", "Can the BHC on duty confirm the safety plan?", AckRequested: true,
            ToRole: new RoleOnTeam(CareTeamRole.Bhc)))).Value!;
        await UntilNoticesAsync(t.Bhc1, n => n.Count == 1, "BHC1's request");
        Assert.Equal([t.Bhc1], (await LogAsync(thread))[^1].Ask!.Recipients);

        // BHC1 goes into a session without answering: routing now reaches the busy BHC2 (never the one on do-not-disturb).
        Assert.True((await fixture.Grains.GetGrain<IPresenceGrain>(t.Bhc1).SetStatusAsync(PresenceStatus.InSession)).Ok);
        await Eventually.Until(async () => (await fixture.Grains.GetGrain<ITeamPresenceGrain>(t.Id).RosterAsync())
            .Any(p => p.UserId == t.Bhc1 && p.Status == PresenceStatus.InSession), Wait, "the roster to hear BHC1 is in session");
        fixture.Clock.Advance(Defaults.AckRenotifyInterval);

        // BHC2 is asked (a request of its own, not a "reminder" of one never seen), BHC1 reminded.
        await UntilNoticesAsync(t.Bhc2, n => n.Count == 1, "BHC2 asked at the first reminder");
        var asked = Assert.Single(await NoticesAsync(t.Bhc2)).Chat!;
        Assert.Equal((ChatNoticeKind.AckRequested, sent.Seq, 1), (asked.Kind, asked.Seq, asked.Round));
        Assert.Equal("Acknowledgement requested — team Maple — open Huddle", asked.Text);
        await UntilNoticesAsync(t.Bhc1, n => n.Count == 2, "BHC1's reminder");
        Assert.Equal(ChatNoticeKind.AckReminder, (await NoticesAsync(t.Bhc1))[^1].Chat!.Kind);
        Assert.Empty(await NoticesAsync(t.Bhc3));

        // Every screen learns it from the log: an entry adding BHC2 to the role, folded into the message.
        var log = await LogAsync(thread);
        var rerouted = Assert.Single(log, m => m.Kind == ThreadEntryKind.AckRerouted);
        Assert.Equal((sent.Seq, AckLimits.System), (rerouted.Refers, rerouted.SenderId));
        Assert.Equal([t.Bhc2], rerouted.Ask!.Recipients);
        var message = AckTally.Merge(log.Single(m => m.Seq == sent.Seq).Ask!, rerouted.Ask);
        Assert.Equal([t.Bhc1, t.Bhc2], message.Recipients);
        Assert.Equal((0, 1), (AckTally.Count(message, []).Acked, AckTally.Count(message, []).Asked));

        // BHC2's acknowledgement answers the role: the request closes; BHC1 is reminded no more.
        Assert.True((await thread.AcknowledgeAsync(t.Bhc2, sent.Seq, "ack-1")).Ok);
        fixture.Clock.Advance(Defaults.AckRenotifyInterval * (Defaults.AckRenotifyCount + 2));
        var marker = await thread.SendAsync(t.Pcp, new SendMessage("m-2", "thanks", Mentions: [t.Bhc1]));
        await UntilNoticesAsync(t.Bhc1, n => n.Last().Chat!.Seq == marker.Value!.Seq, "the later mention");
        Assert.Equal([ChatNoticeKind.AckRequested, ChatNoticeKind.AckReminder, ChatNoticeKind.Mention], (await NoticesAsync(t.Bhc1)).Select(n => n.Chat!.Kind));
        Assert.Empty(await NoticesAsync(t.Pcp));
        Assert.Single(await LogAsync(thread), m => m.Kind == ThreadEntryKind.AckRerouted);
        Assert.DoesNotContain(await LogAsync(thread), m => m.Kind == ThreadEntryKind.AckUnanswered);
    }

    [Fact]
    public async Task A_role_holder_a_failed_read_kept_from_the_last_reminder_is_asked_before_the_sender_is_told()
    {
        var t = await NewTeamAsync();
        var thread = Thread(t.TeamThread);
        var sent = (await thread.SendAsync(t.Pcp, new SendMessage("m-1", "Can the BHC on duty confirm the safety plan?", AckRequested: true,
            ToRole: new RoleOnTeam(CareTeamRole.Bhc)))).Value!;
        await UntilNoticesAsync(t.Bhc1, n => n.Count == 1, "BHC1's request");
        for (var round = 1; round < Defaults.AckRenotifyCount; round++)
        {
            fixture.Clock.Advance(Defaults.AckRenotifyInterval);
            await UntilNoticesAsync(t.Bhc1, n => n.Count == round + 1, $"re-notification {round}");
        }

        // BHC1 goes into a session just before the last reminder, and that step's read of the team fails.
        Assert.True((await fixture.Grains.GetGrain<IPresenceGrain>(t.Bhc1).SetStatusAsync(PresenceStatus.InSession)).Ok);
        await Eventually.Until(async () => (await fixture.Grains.GetGrain<ITeamPresenceGrain>(t.Id).RosterAsync())
            .Any(p => p.UserId == t.Bhc1 && p.Status == PresenceStatus.InSession), Wait, "the roster to hear BHC1 is in session");
        Faults.FailCalls(nameof(ITeamPresenceGrain.RosterAsync), t.Id, 1);
        fixture.Clock.Advance(Defaults.AckRenotifyInterval);
        await UntilNoticesAsync(t.Bhc1, n => n.Count == Defaults.AckRenotifyCount + 1, "the last reminder");
        Assert.Equal(0, Faults.CallsLeft(nameof(ITeamPresenceGrain.RosterAsync), t.Id));
        Assert.DoesNotContain(await LogAsync(thread), m => m.Kind == ThreadEntryKind.AckRerouted);

        // An interval later, before the sender is told: BHC2 is asked, with one more interval to answer.
        fixture.Clock.Advance(Defaults.AckRenotifyInterval);
        await UntilNoticesAsync(t.Bhc2, n => n.Count == 1, "BHC2 asked before the sender is told");
        var asked = Assert.Single(await NoticesAsync(t.Bhc2)).Chat!;
        Assert.Equal((ChatNoticeKind.AckRequested, sent.Seq, Defaults.AckRenotifyCount + 1), (asked.Kind, asked.Seq, asked.Round));
        Assert.Equal([t.Bhc2], Assert.Single(await LogAsync(thread), m => m.Kind == ThreadEntryKind.AckRerouted).Ask!.Recipients);
        Assert.Empty(await NoticesAsync(t.Pcp));

        // Nobody answers: the sender is told the role went unanswered (counted once), and only then.
        fixture.Clock.Advance(Defaults.AckRenotifyInterval);
        await UntilNoticesAsync(t.Pcp, n => n.Count == 1, "the sender to be told");
        Assert.Equal("Not acknowledged by 1 of 1 — team Maple — open Huddle", Assert.Single(await NoticesAsync(t.Pcp)).Notice);
        Assert.Equal(Defaults.AckRenotifyCount + 1, (await NoticesAsync(t.Bhc1)).Count);
        Assert.Single(await LogAsync(thread), m => m.Kind == ThreadEntryKind.AckUnanswered);
    }

    [Fact]
    public async Task Acknowledging_closes_the_request_and_nobody_is_renotified_after_everyone_acknowledged()
    {
        var t = await NewTeamAsync();
        var thread = Thread(t.TeamThread);
        var sent = (await thread.SendAsync(t.Pcp, new SendMessage("m-1", "Confirm please", AckRequested: true, Mentions: [t.Bhc1]))).Value!;
        await UntilNoticesAsync(t.Bhc1, n => n.Count == 1, "the request");
        Assert.True((await thread.AcknowledgeAsync(t.Bhc1, sent.Seq, "ack-1")).Ok);

        fixture.Clock.Advance(Defaults.AckRenotifyInterval * (Defaults.AckRenotifyCount + 2));
        // Anchored on something the same thread delivers later: by then a reminder would have come first.
        var marker = await thread.SendAsync(t.Pcp, new SendMessage("m-2", "thanks", Mentions: [t.Bhc1]));
        await UntilNoticesAsync(t.Bhc1, n => n.Last().Chat!.Seq == marker.Value!.Seq, "the later mention");
        Assert.Equal([ChatNoticeKind.AckRequested, ChatNoticeKind.Mention], (await NoticesAsync(t.Bhc1)).Select(n => n.Chat!.Kind));
        Assert.Empty(await NoticesAsync(t.Pcp));
        Assert.DoesNotContain(await LogAsync(thread), m => m.Kind == ThreadEntryKind.AckUnanswered);
    }

    [Fact]
    public async Task An_acknowledgement_is_idempotent_and_only_a_recipient_may_acknowledge()
    {
        var t = await NewTeamAsync();
        var thread = Thread(t.TeamThread);
        var plain = (await thread.SendAsync(t.Pcp, new SendMessage("m-0", "fyi"))).Value!;
        var sent = (await thread.SendAsync(t.Pcp, new SendMessage("m-1", "Confirm please", AckRequested: true, Mentions: [t.Bhc1, t.Nurse]))).Value!;

        var first = await thread.AcknowledgeAsync(t.Bhc1, sent.Seq, "ack-1");
        Assert.True(first.Ok, first.Error?.Message);
        Assert.Equal(first.Value, (await thread.AcknowledgeAsync(t.Bhc1, sent.Seq, "ack-1")).Value);
        // A second acknowledgement (another device, another client id): a no-op that answers the first.
        Assert.Equal(first.Value, (await thread.AcknowledgeAsync(t.Bhc1, sent.Seq, "ack-2")).Value);

        // Not asked: the sender, a member not mentioned, an outsider; a message that asks nothing; no such message.
        Assert.Equal(ErrorCodes.Forbidden, (await thread.AcknowledgeAsync(t.Pcp, sent.Seq, "ack-3")).Error?.Code);
        Assert.Equal(ErrorCodes.Forbidden, (await thread.AcknowledgeAsync(t.Bhc2, sent.Seq, "ack-4")).Error?.Code);
        Assert.Equal(ErrorCodes.Forbidden, (await thread.AcknowledgeAsync(t.Outsider, sent.Seq, "ack-5")).Error?.Code);
        Assert.Equal(ErrorCodes.InvalidState, (await thread.AcknowledgeAsync(t.Bhc1, plain.Seq, "ack-6")).Error?.Code);
        Assert.Equal(ErrorCodes.NotFound, (await thread.AcknowledgeAsync(t.Bhc1, 999, "ack-7")).Error?.Code);
        // The same client id for another message's acknowledgement is a reuse.
        Assert.Equal(ErrorCodes.OpIdReused, (await thread.AcknowledgeAsync(t.Bhc1, plain.Seq, "ack-1")).Error?.Code);

        var log = await LogAsync(thread);
        var ack = Assert.Single(log, m => m.Kind == ThreadEntryKind.Acknowledge);
        Assert.Equal((t.Bhc1, sent.Seq, first.Value!.Seq), (ack.SenderId, ack.Refers, ack.Seq));
        Assert.Equal(3, log.Count);

        // With no one named, everyone in the thread but the sender is asked.
        var all = (await thread.SendAsync(t.Pcp, new SendMessage("m-2", "All: confirm", AckRequested: true))).Value!;
        Assert.Equal(new[] { t.Bhc1, t.Bhc2, t.Bhc3, t.Nurse }.Order(StringComparer.Ordinal), (await LogAsync(thread)).Single(m => m.Seq == all.Seq).Ask!.Recipients);
        Assert.True((await thread.AcknowledgeAsync(t.Bhc2, all.Seq, "ack-8")).Ok);
    }

    [Fact]
    public async Task Open_requests_per_thread_are_bounded_with_a_clear_error()
    {
        var t = await NewTeamAsync();
        var thread = Thread(t.TeamThread);
        for (var i = 0; i < AckLimits.MaxOpen; i++)
        {
            Assert.True((await thread.SendAsync(t.Pcp, new SendMessage($"m-{i}", "confirm", AckRequested: true, Mentions: [t.Bhc1]))).Ok);
        }

        var refused = await thread.SendAsync(t.Pcp, new SendMessage("over", "confirm", AckRequested: true, Mentions: [t.Bhc1]));
        Assert.Equal(ErrorCodes.LimitExceeded, refused.Error?.Code);
        Assert.Equal(AckLimits.MaxOpen, (await LogAsync(thread)).Count);

        // Acknowledging one makes room.
        Assert.True((await thread.AcknowledgeAsync(t.Bhc1, 1, "ack-1")).Ok);
        Assert.True((await thread.SendAsync(t.Pcp, new SendMessage("over", "confirm", AckRequested: true, Mentions: [t.Bhc1]))).Ok);
    }

    [Fact]
    public async Task A_send_that_owes_notifications_holds_its_reminder_before_it_answers_and_without_one_is_refused_storing_nothing()
    {
        var t = await NewTeamAsync();
        var thread = Thread(t.TeamThread);
        var reminders = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<IReminderTable>();
        async Task<bool> HeldAsync() => (await reminders.ReadRows(thread.GetGrainId())).Reminders.Any(r => r.ReminderName == ThreadGrain.AckReminder);
        Assert.True((await thread.SendAsync(t.Pcp, new SendMessage("m-0", "Morning all"))).Ok);
        Assert.False(await HeldAsync());

        // The reminder table refuses: the urgent message is not sent (a host killed after its reply would
        // leave notifications nothing wakes the thread to deliver), and nothing of it is stored.
        Faults.FailReminderRegistrations(thread.GetGrainId(), 1);
        var refused = await thread.SendAsync(t.Pcp, new SendMessage("m-1", "Room 3 needs a BHC now", MessagePriority.Urgent, Mentions: [t.Bhc1]));
        Assert.Equal(ErrorCodes.Unavailable, refused.Error?.Code);
        Assert.Single(await LogAsync(thread));

        // Sent again: the reminder is in the table when the reply comes. BHC1's inbox takes nothing until the
        // table is read: a mention delivered first would remove the reminder before the read (nothing owed).
        Faults.FailCalls(nameof(IInboxGrain.NotifyAsync), t.Bhc1, 1000);
        var sent = await thread.SendAsync(t.Pcp, new SendMessage("m-1", "Room 3 needs a BHC now", MessagePriority.Urgent, Mentions: [t.Bhc1]));
        Assert.True(sent.Ok, sent.Error?.Message);
        Assert.True(await HeldAsync(), "the reminder is registered before the send answers");
        Assert.Equal(2, (await LogAsync(thread)).Count);
        Faults.FailCalls(nameof(IInboxGrain.NotifyAsync), t.Bhc1, 0);

        // Delivered, nothing owed: the reminder goes.
        await UntilNoticesAsync(t.Bhc1, n => n.Count == 1, "BHC1's mention");
        await Eventually.Until(async () => !await HeldAsync(), Wait, "the reminder removed once nothing is owed");
    }

    [Fact]
    public async Task Re_notifications_while_inboxes_fail_replace_the_notices_still_owed_instead_of_piling_up()
    {
        var t = await NewTeamAsync();
        var thread = Thread(t.TeamThread);
        // BHC1's inbox takes nothing: the request's notice and every re-notification stay owed.
        Faults.FailCalls(nameof(IInboxGrain.NotifyAsync), t.Bhc1, 1000);
        Assert.True((await thread.SendAsync(t.Pcp, new SendMessage("m-1", "Confirm please", AckRequested: true, Mentions: [t.Bhc1, t.Nurse]))).Ok);
        await UntilNoticesAsync(t.Nurse, n => n.Count == 1, "the nurse's request");
        for (var round = 1; round <= 3; round++)
        {
            fixture.Clock.Advance(Defaults.AckRenotifyInterval);
            await UntilNoticesAsync(t.Nurse, n => n.Count == round + 1, $"the nurse's re-notification {round}");
        }

        // One notice owed to BHC1, the newest round's: the row holds one per recipient and message, however long
        // inboxes fail (before, each round added one: four by now).
        await Eventually.Until(() => Task.FromResult(MeasuredGrainStorage.LastWritten<Huddle.Grains.Chat.ThreadState>(thread.GetGrainId())?.NoticeOutbox
            is [{ Notice: { Kind: ChatNoticeKind.AckReminder, Round: 3 } } owed] && owed.UserId == t.Bhc1), Wait, "the row to owe BHC1 the third round's notice only");

        Faults.FailCalls(nameof(IInboxGrain.NotifyAsync), t.Bhc1, 0);
        await UntilNoticesAsync(t.Bhc1, n => n.Count == 1, "BHC1's newest reminder once their inbox answers");
        Assert.Equal(3, Assert.Single(await NoticesAsync(t.Bhc1)).Chat!.Round);
    }

    [Fact]
    public async Task Renotification_survives_the_thread_being_deactivated()
    {
        var t = await NewTeamAsync();
        var thread = Thread(t.TeamThread);
        Assert.True((await thread.SendAsync(t.Pcp, new SendMessage("m-1", "Confirm please", AckRequested: true, Mentions: [t.Bhc1]))).Ok);
        await UntilNoticesAsync(t.Bhc1, n => n.Count == 1, "the request");
        var reminders = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<IReminderTable>();
        await Eventually.Until(async () => (await reminders.ReadRows(thread.GetGrainId())).Reminders.Any(r => r.ReminderName == ThreadGrain.AckReminder),
            Wait, "the durable reminder");

        var management = fixture.Grains.GetGrain<IManagementGrain>(0);
        await management.DeactivateGrain(thread.GetGrainId());
        await Eventually.Until(async () => !(await management.GetActiveGrains(thread.GetGrainId().Type)).Contains(thread.GetGrainId()), Wait, "the thread to deactivate");

        // The interval passes while nothing is active; the reminder's tick wakes a new activation.
        fixture.Clock.Advance(Defaults.AckRenotifyInterval);
        await thread.AsReference<IRemindable>().ReceiveReminder(ThreadGrain.AckReminder, default);
        await UntilNoticesAsync(t.Bhc1, n => n.Count == 2, "the re-notification after reactivation");
        Assert.Equal(ChatNoticeKind.AckReminder, (await NoticesAsync(t.Bhc1))[1].Chat!.Kind);
    }
}
