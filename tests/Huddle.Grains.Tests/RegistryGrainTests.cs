using System.Collections.Immutable;
using Huddle.Contracts.Boards;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Handoffs;
using Huddle.Contracts.Patients;
using Huddle.Contracts.Presence;
using Huddle.Contracts.Registry;
using Huddle.Contracts.Users;
using Huddle.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Huddle.Grains.Tests;

/// <summary>
/// Measurement-based care on the patient's grain and the team's registry: scores reach the card, the
/// registry and the psychiatrist's review list; item 9 pings the care manager; bad input changes nothing;
/// a failed tell is sent again; history is paged and the row stays bounded.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RegistryGrainTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private sealed record Team(string Id, string Pcp, string CareManager, string Psychiatrist, string Patient, string CardId);

    private DateOnly Today => DateOnly.FromDateTime(fixture.Clock.GetUtcNow().UtcDateTime);

    private static ImmutableArray<int> Phq9(int total, int item9 = 0)
    {
        // Spread the total over items 1-8 (each 0-3), item 9 as given.
        var items = new int[9];
        var left = total - item9;
        for (var i = 0; i < 8 && left > 0; i++)
        {
            items[i] = Math.Min(3, left);
            left -= items[i];
        }

        items[8] = item9;
        return [.. items];
    }

    private async Task<Team> TeamAsync(bool onBoard = true)
    {
        var id = $"t-reg-{Guid.NewGuid():N}"[..20];
        var (pcp, cm, psy, patient) = ($"{id}-pcp", $"{id}-cm", $"{id}-psy", $"{id}-pat");
        var team = fixture.Grains.GetGrain<ICareTeamGrain>(id);
        await team.SetProfileAsync(new CareTeamProfile(id, "Registry team", CareTeamStatus.Active,
            [new TeamMember(pcp, "Dr. P", CareTeamRole.Pcp), new TeamMember(cm, "C. Manager", CareTeamRole.CareManager),
             new TeamMember(psy, "Dr. Psych", CareTeamRole.ConsultingPsychiatrist)], [], "UTC"));
        await fixture.Grains.GetGrain<IPatientGrain>(patient).SetAsync(new PatientProfile(patient, "Maria Lopez", "M.L.", "Exam 2",
            [new CardFlag(FlagKind.Phq9, "typed"), new CardFlag(FlagKind.RecentEdVisit, "chest pain")], [id]));
        foreach (var user in new[] { pcp, cm, psy })
        {
            await fixture.Grains.GetGrain<IUserGrain>(user).SetAsync(new UserProfile(user, user, UserKind.Clinician, null, [id]));
            await fixture.Grains.GetGrain<IPresenceGrain>(user).ConnectAsync($"c-{user}");
        }

        var cardId = "";
        if (onBoard)
        {
            var board = (await team.GetBoardAsync(pcp)).Value!.Board;
            Assert.True((await team.ExecuteAsync(pcp, new AddCard(patient, board.Lanes[0].Id))).Ok);
            cardId = (await team.GetBoardAsync(pcp)).Value!.Board.Cards.Single().Id;
        }

        return new Team(id, pcp, cm, psy, patient, cardId);
    }

    private async Task<PatientCare> CareAsync(string actorId, string patient, CareCommand command)
    {
        var result = await fixture.Grains.GetGrain<IPatientGrain>(patient).CareAsync(actorId, command);
        Assert.True(result.Ok, result.Error?.Message);
        return result.Value!;
    }

    private async Task<PatientCard> CardAsync(Team team) =>
        (await fixture.Grains.GetGrain<ICareTeamGrain>(team.Id).GetBoardAsync(team.Pcp)).Value!.Board.Cards.Single(c => c.PatientId == team.Patient);

    /// <summary>Baseline 18 eight weeks ago, enrolled then, a contact since: the issue's "done when".</summary>
    private async Task EnrolledEightWeeksAsync(Team team)
    {
        var enrolled = Today.AddDays(-56);
        await CareAsync(team.Pcp, team.Patient, new RecordMeasurement(Instrument.Phq9, Phq9(18), enrolled));
        await CareAsync(team.CareManager, team.Patient, new Enrol(team.Id, team.CareManager, team.Psychiatrist, enrolled));
        await CareAsync(team.CareManager, team.Patient, new LogContact(ContactKind.Phone, 25, Today.AddDays(-20)));
    }

    [Fact]
    public async Task A_phq9_of_16_eight_weeks_after_a_baseline_of_18_turns_the_card_and_lists_the_patient_for_review()
    {
        var team = await TeamAsync();
        await EnrolledEightWeeksAsync(team);

        var care = await CareAsync(team.Pcp, team.Patient, new RecordMeasurement(Instrument.Phq9, Phq9(16)) { OpId = "phq-today" });
        Assert.Equal(16, care.Entry.Latest!.Total);
        Assert.Equal(18, care.Entry.Baseline!.Total);
        Assert.Equal(8, care.Status.WeeksInTreatment);
        Assert.True(care.Status.Prompts.HasFlag(RegistryPrompts.PsychiatricReview));

        // The card: the real score and its direction, the rule's review; the team's own flag kept.
        var card = await CardAsync(team);
        Assert.Contains(new CardFlag(FlagKind.Phq9, "16 ↓"), card.Flags);
        Assert.Contains(new CardFlag(FlagKind.NeedsPsychReview), card.Flags);
        Assert.Contains(new CardFlag(FlagKind.RecentEdVisit, "chest pain"), card.Flags);
        Assert.DoesNotContain(new CardFlag(FlagKind.Phq9, "typed"), card.Flags);

        // The registry lists them, first, for psychiatric review.
        var registry = (await fixture.Grains.GetGrain<IRegistryGrain>(team.Id).GetAsync(team.Psychiatrist)).Value!;
        var row = Assert.Single(registry.Rows);
        Assert.Equal(team.Patient, row.Entry.PatientId);
        Assert.Equal([18, 16], row.Entry.Phq9.Select(p => p.Total));
        Assert.True(row.Status.Prompts.HasFlag(RegistryPrompts.PsychiatricReview));
        Assert.Equal(25, row.Entry.Minutes.Sum(m => m.Minutes));

        // The op id's retry answers the same and counts nothing twice.
        var again = await CareAsync(team.Pcp, team.Patient, new RecordMeasurement(Instrument.Phq9, Phq9(16)) { OpId = "phq-today" });
        Assert.Equal(care.Entry.Version, again.Entry.Version);
        Assert.Equal(2, again.Entry.Phq9.Length);

        // New patients added to a board later get the registry's flags from the profile.
        var profile = await fixture.Grains.GetGrain<IPatientGrain>(team.Patient).GetAsync();
        Assert.Contains(new CardFlag(FlagKind.Phq9, "16 ↓"), profile!.Flags);
    }

    [Fact]
    public async Task A_review_clears_the_prompt_and_goes_back_to_the_team_as_an_action_item_for_the_care_manager()
    {
        var team = await TeamAsync();
        await EnrolledEightWeeksAsync(team);
        await CareAsync(team.Pcp, team.Patient, new RecordMeasurement(Instrument.Phq9, Phq9(16)));

        var reviewed = await CareAsync(team.Psychiatrist, team.Patient, new RecordReview("Increase sertraline to 100 mg; recheck PHQ-9 in 4 weeks"));
        Assert.False(reviewed.Status.Prompts.HasFlag(RegistryPrompts.PsychiatricReview));
        var board = (await fixture.Grains.GetGrain<ICareTeamGrain>(team.Id).GetBoardAsync(team.Pcp)).Value!.Board;
        var item = Assert.Single(board.ActionItems);
        Assert.Equal("Act on psychiatric review for M.L. (see registry)", item.Title);
        Assert.Equal("Increase sertraline to 100 mg; recheck PHQ-9 in 4 weeks", reviewed.Entry.LastReview!.Recommendation);
        Assert.Equal(team.CareManager, item.OwnerId);
        Assert.DoesNotContain(board.Cards.Single().Flags, f => f.Kind == FlagKind.NeedsPsychReview);
    }

    [Fact]
    public async Task Item_9_above_0_pings_the_care_manager_at_once_and_puts_the_patient_on_the_board()
    {
        var team = await TeamAsync(onBoard: false);
        await CareAsync(team.CareManager, team.Patient, new Enrol(team.Id, team.CareManager, team.Psychiatrist));

        await CareAsync(team.Pcp, team.Patient, new RecordMeasurement(Instrument.Phq9, Phq9(14, item9: 1)));

        // A stat warm handoff in the care manager's inbox, asking them to answer.
        await Eventually.Until(async () =>
        {
            var open = await fixture.Grains.GetGrain<IInboxGrain>(team.CareManager).OpenAsync(IInboxGrain.Feed, team.CareManager, null);
            return ((InboxSnapshot)open.Value!.Snapshot!).Items.Any(i => i.Priority == HandoffPriority.Stat && i.TeamId == team.Id && i.RequesterId == team.Pcp);
        }, Wait, "the safety ping in the care manager's inbox");

        // The board: a card the team cannot miss, the safety flag first.
        var card = await CardAsync(team);
        Assert.Equal(FlagKind.SafetyRisk, card.Flags[0].Kind);
        var care = (await fixture.Grains.GetGrain<IPatientGrain>(team.Patient).GetCareAsync(team.Pcp)).Value!;
        Assert.True(care.Status.Prompts.HasFlag(RegistryPrompts.Safety));

        // A later PHQ-9 with item 9 at 0 lifts the flag; no second ping.
        await CareAsync(team.Pcp, team.Patient, new RecordMeasurement(Instrument.Phq9, Phq9(12)));
        Assert.DoesNotContain((await CardAsync(team)).Flags, f => f.Kind == FlagKind.SafetyRisk);
        var handoffs = (await fixture.Grains.GetGrain<IPatientGrain>(team.Patient).GetHandoffsAsync(team.Pcp)).Value!;
        Assert.Single(handoffs);
    }

    [Fact]
    public async Task A_positive_item_9_entered_late_still_pings_within_two_weeks_and_the_flag_follows_the_latest()
    {
        var team = await TeamAsync();
        await CareAsync(team.CareManager, team.Patient, new Enrol(team.Id, team.CareManager, team.Psychiatrist));
        await CareAsync(team.Pcp, team.Patient, new RecordMeasurement(Instrument.Phq9, Phq9(9)));
        var patient = fixture.Grains.GetGrain<IPatientGrain>(team.Patient);

        // A paper PHQ-9 from five days ago, item 9 at 2, typed in today: nobody has assessed that answer.
        var fiveDaysAgo = Today.AddDays(-5);
        await CareAsync(team.Pcp, team.Patient, new RecordMeasurement(Instrument.Phq9, Phq9(15, item9: 2), fiveDaysAgo));
        await Eventually.Until(async () => (await patient.GetHandoffsAsync(team.Pcp)).Value!.Any(h => h.Priority == HandoffPriority.Stat), Wait,
            "the late item 9's safety ping");
        var ping = (await patient.GetHandoffsAsync(team.Pcp)).Value!.Single();
        var reason = (await fixture.Grains.GetGrain<IHandoffGrain>(ping.HandoffId).OpenAsync(team.CareManager)).Value!.Reason.Situation;
        Assert.Contains($"taken {fiveDaysAgo.ToString("MMM d", System.Globalization.CultureInfo.InvariantCulture)} (entered later)", reason, StringComparison.Ordinal);
        // The flag follows the latest PHQ-9 (today's, item 9 at 0).
        Assert.DoesNotContain((await CardAsync(team)).Flags, f => f.Kind == FlagKind.SafetyRisk);

        // One from three weeks ago is history being filed: no ping. Then one of today's with item 9 above 0
        // (the latest: flag and ping); the old one's ping, had it been owed, was asked for before it.
        var filed = (await CareAsync(team.Pcp, team.Patient, new RecordMeasurement(Instrument.Phq9, Phq9(15, item9: 1), Today.AddDays(-21))))
            .Recent.Single(m => m.On == Today.AddDays(-21)).Number;
        await CareAsync(team.Pcp, team.Patient, new RecordMeasurement(Instrument.Phq9, Phq9(16, item9: 1)));
        await Eventually.Until(async () => (await patient.GetHandoffsAsync(team.Pcp)).Value!.Length >= 2, Wait, "today's safety ping");
        Assert.Equal(FlagKind.SafetyRisk, (await CardAsync(team)).Flags[0].Kind);
        // The safety handoff's id the patient's grain would give it (its patient part hashed, PatientGrain.SafetyHandoffId).
        var patientPart = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(team.Patient)))[..16];
        var filedPing = fixture.Grains.GetGrain<IHandoffGrain>($"safety-{patientPart}-{filed}");
        // Today's ping, owed after the filed one would have been, is tracked already (the wait above): no sleep.
        Assert.Equal(2, (await patient.GetHandoffsAsync(team.Pcp)).Value!.Length);
        Assert.Null((await filedPing.OpenAsync(team.CareManager)).Value);
    }

    [Fact]
    public async Task Bad_input_gets_a_clear_error_and_changes_nothing()
    {
        var team = await TeamAsync();
        var patient = fixture.Grains.GetGrain<IPatientGrain>(team.Patient);
        async Task<string> Refused(string actor, CareCommand command)
        {
            var result = await patient.CareAsync(actor, command);
            Assert.False(result.Ok);
            return result.Error!.Code;
        }

        Assert.Equal(ErrorCodes.ValidationFailed, await Refused(team.Pcp, new RecordMeasurement(Instrument.Phq9, [1, 2, 3])));
        Assert.Equal(ErrorCodes.ValidationFailed, await Refused(team.Pcp, new RecordMeasurement(Instrument.Gad7, [0, 0, 0, 0, 0, 0, 9])));
        Assert.Equal(ErrorCodes.ValidationFailed, await Refused(team.Pcp, new RecordMeasurement(Instrument.Phq9, Phq9(5), Today.AddDays(1))));
        // Said as the page says dates, with the ISO form an API caller sent.
        var tomorrow = Today.AddDays(1);
        var future = (await fixture.Grains.GetGrain<IPatientGrain>(team.Patient).CareAsync(team.Pcp, new RecordMeasurement(Instrument.Phq9, Phq9(5), tomorrow))).Error!.Message;
        Assert.Equal(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"The date {tomorrow:dddd, MMMM d, yyyy} ({tomorrow:yyyy-MM-dd}) is in the future: today is {Today:dddd, MMMM d, yyyy} ({Today:yyyy-MM-dd}) on the team's calendar."), future);
        Assert.Equal(ErrorCodes.Forbidden, await Refused("stranger", new RecordMeasurement(Instrument.Phq9, Phq9(5))));
        Assert.Equal(ErrorCodes.InvalidState, await Refused(team.CareManager, new LogContact(ContactKind.Phone, 10)));
        Assert.Equal(ErrorCodes.NotFound, await Refused(team.CareManager, new Enrol(team.Id, "nobody")));
        Assert.Equal(ErrorCodes.NotFound, await Refused(team.CareManager, new Enrol("other-team", team.CareManager)));
        await CareAsync(team.CareManager, team.Patient, new Enrol(team.Id, team.CareManager));
        Assert.Equal(ErrorCodes.ValidationFailed, await Refused(team.CareManager, new LogContact(ContactKind.Phone, 0)));
        Assert.Equal(ErrorCodes.ValidationFailed, await Refused(team.CareManager, new LogContact(ContactKind.Phone, 241)));
        Assert.Equal(ErrorCodes.ValidationFailed, await Refused(team.Psychiatrist, new RecordReview(" ")));
        Assert.Equal(ErrorCodes.InvalidState, await Refused(team.CareManager, new Enrol(team.Id, team.CareManager)));
        Assert.Equal(ErrorCodes.OpIdReused, await Refused(team.Pcp, new RecordMeasurement(Instrument.Phq9, Phq9(6)) { OpId = "x" } is var first
            && (await patient.CareAsync(team.Pcp, first)).Ok ? new RecordMeasurement(Instrument.Phq9, Phq9(7)) { OpId = "x" } : first));

        var care = (await patient.GetCareAsync(team.Pcp)).Value!;
        Assert.Equal([6], care.Entry.Phq9.Select(p => p.Total));
        Assert.Equal(0, care.Status.MinutesThisMonth);
        Assert.Equal(ErrorCodes.Forbidden, (await patient.GetCareAsync("stranger")).Error!.Code);
        Assert.Equal(ErrorCodes.Forbidden, (await fixture.Grains.GetGrain<IRegistryGrain>(team.Id).GetAsync("stranger")).Error!.Code);
    }

    [Fact]
    public async Task A_clinician_taken_off_the_team_gets_no_care_record_by_replaying_an_earlier_measurement()
    {
        var team = await TeamAsync(onBoard: false);
        var patient = fixture.Grains.GetGrain<IPatientGrain>(team.Patient);
        var measured = new RecordMeasurement(Instrument.Phq9, Phq9(14)) { OpId = "m-1" };
        Assert.True((await patient.CareAsync(team.CareManager, measured)).Ok);
        Assert.True((await patient.CareAsync(team.CareManager, measured)).Ok, "a replay by a member answers as the first call did");

        await fixture.TakeOffTeamAsync(team.Id, team.CareManager);

        // The replay would answer the patient's whole care record (trends, items, enrolment): refused instead.
        var replay = await patient.CareAsync(team.CareManager, measured);
        Assert.Equal(ErrorCodes.Forbidden, replay.Error?.Code);
        Assert.Null(replay.Value);
    }

    [Fact]
    public async Task A_discharged_patient_leaves_the_list_and_still_counts_in_the_metrics()
    {
        var team = await TeamAsync(onBoard: false);
        var enrolled = Today.AddDays(-150);
        await CareAsync(team.CareManager, team.Patient, new Enrol(team.Id, team.CareManager, On: enrolled));
        await CareAsync(team.CareManager, team.Patient, new RecordMeasurement(Instrument.Phq9, Phq9(18), enrolled));
        await CareAsync(team.CareManager, team.Patient, new RecordMeasurement(Instrument.Phq9, Phq9(3), enrolled.AddDays(84)));
        await CareAsync(team.CareManager, team.Patient, new Discharge(enrolled.AddDays(130)));

        // Remitted and discharged: gone from the list the team works from.
        var registry = fixture.Grains.GetGrain<IRegistryGrain>(team.Id);
        await Eventually.Until(async () => (await registry.GetAsync(team.Pcp)).Value!.Rows.IsEmpty, Wait, "the discharged patient to leave the list");

        // But the 12-week outcome counts them (intention to treat): eligible, measured, responded, remitted.
        var episodes = (await registry.EpisodesAsync(team.Pcp)).Value!;
        var row = Assert.Single(episodes.Rows);
        Assert.Equal(enrolled.AddDays(130), row.Entry.Enrolment!.DischargedOn);
        Assert.Equal(new OutcomeAt(12, 1, 1, 1, 1), RegistryMetrics.Compute([.. episodes.Rows.Select(r => r.Entry)], episodes.Today).At12Weeks);
        Assert.Equal(ErrorCodes.Forbidden, (await registry.EpisodesAsync("stranger")).Error?.Code);
    }

    [Fact]
    public async Task A_new_enrolment_in_the_same_month_starts_its_billing_minutes_afresh()
    {
        var team = await TeamAsync(onBoard: false);
        await CareAsync(team.CareManager, team.Patient, new Enrol(team.Id, team.CareManager));
        Assert.Equal(40, (await CareAsync(team.CareManager, team.Patient, new LogContact(ContactKind.Phone, 40))).Status.MinutesThisMonth);
        await CareAsync(team.CareManager, team.Patient, new Discharge());

        // Enrolled again the same month: the earlier episode's 40 minutes do not count towards this one's 99492.
        var again = await CareAsync(team.CareManager, team.Patient, new Enrol(team.Id, team.CareManager));
        Assert.Equal(0, again.Status.MinutesThisMonth);
        Assert.Null(again.Status.Billing.Code);
        Assert.Equal(10, (await CareAsync(team.CareManager, team.Patient, new LogContact(ContactKind.Phone, 10))).Status.MinutesThisMonth);
    }

    [Fact]
    public async Task A_care_reminder_an_earlier_activation_left_for_nothing_owed_is_removed_when_it_ticks()
    {
        var team = await TeamAsync(onBoard: false);
        var patient = fixture.Grains.GetGrain<IPatientGrain>(team.Patient);
        await CareAsync(team.Pcp, team.Patient, new RecordMeasurement(Instrument.Phq9, Phq9(6)));
        var reminders = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<IReminderTable>();
        async Task<bool> HeldAsync() => (await reminders.ReadRows(patient.GetGrainId())).Reminders.Any(r => r.ReminderName == "care");
        await Eventually.Until(async () => !await HeldAsync(), Wait, "no care reminder once the measurement's tells went out (not enrolled)");

        // A new activation, and a reminder an earlier one registered (it died before removing it).
        var management = fixture.Grains.GetGrain<IManagementGrain>(0);
        await management.DeactivateGrain(patient.GetGrainId());
        await Eventually.Until(async () => !(await management.GetActiveGrains(patient.GetGrainId().Type)).Contains(patient.GetGrainId()), Wait, "the patient's grain to deactivate");
        await reminders.UpsertRow(new ReminderEntry { GrainId = patient.GetGrainId(), ReminderName = "care", StartAt = DateTime.UtcNow.AddMinutes(1), Period = TimeSpan.FromMinutes(1) });
        Assert.True(await HeldAsync());

        // Its tick finds nothing owed and no enrolment: it is removed, not left to wake the patient every minute.
        await patient.AsReference<IRemindable>().ReceiveReminder("care", default);
        await Eventually.Until(async () => !await HeldAsync(), Wait, "the leftover care reminder to be removed");
    }

    [Fact]
    public async Task The_registry_publishes_each_change_to_its_members_and_to_nobody_else()
    {
        var team = await TeamAsync();
        var registry = fixture.Grains.GetGrain<IRegistryGrain>(team.Id);
        var opened = await registry.OpenAsync(IRegistryGrain.Feed, team.Psychiatrist, null);
        Assert.True(opened.Ok, opened.Error?.Message);
        Assert.Empty(((RegistryView)opened.Value!.Snapshot!).Rows);
        var (seq, epoch) = (opened.Value.Seq, opened.Value.Epoch);
        Assert.Equal(ErrorCodes.Forbidden, (await registry.OpenAsync(IRegistryGrain.Feed, "stranger", null)).Error!.Code);
        Assert.Equal(ErrorCodes.Forbidden, (await registry.OpenAsync(IRegistryGrain.Feed, team.Pcp, null, Huddle.Contracts.Live.FeedAudiences.Displays)).Error!.Code);

        await CareAsync(team.CareManager, team.Patient, new Enrol(team.Id, team.CareManager));
        await CareAsync(team.Pcp, team.Patient, new RecordMeasurement(Instrument.Phq9, Phq9(12)));
        await CareAsync(team.CareManager, team.Patient, new Discharge());

        var missed = await registry.OpenAsync(IRegistryGrain.Feed, team.Psychiatrist, seq, epoch: epoch);
        Assert.True(missed.Ok);
        Assert.False(missed.Value!.Reset);
        var changes = missed.Value.Changes.Cast<RegistryChange>().ToList();
        Assert.Equal(Enumerable.Range(1, changes.Count).Select(i => seq + i), changes.Select(c => c.Seq));
        Assert.Equal(12, changes.Last(c => c.Entry is not null).Entry!.Latest!.Total);
        Assert.Equal(team.Patient, changes[^1].RemovedPatientId);
    }

    [Fact]
    public async Task The_patients_care_feed_publishes_each_stored_change_to_clinicians_on_the_patients_teams_only()
    {
        var team = await TeamAsync();
        var patient = fixture.Grains.GetGrain<IPatientGrain>(team.Patient);
        var opened = await patient.OpenAsync(IPatientGrain.CareFeed, team.Psychiatrist, null);
        Assert.True(opened.Ok, opened.Error?.Message);
        var first = (PatientCareView)opened.Value!.Snapshot!;
        Assert.Null(first.Care.Entry.Latest);
        Assert.Contains(new CardFlag(FlagKind.RecentEdVisit, "chest pain"), first.Flags);
        var (seq, epoch) = (opened.Value.Seq, opened.Value.Epoch);
        Assert.Equal(ErrorCodes.Forbidden, (await patient.OpenAsync(IPatientGrain.CareFeed, "stranger", null)).Error!.Code);
        Assert.Equal(ErrorCodes.Forbidden, (await patient.OpenAsync(IPatientGrain.CareFeed, team.Pcp, null, Huddle.Contracts.Live.FeedAudiences.Displays)).Error!.Code);
        // Emergency access reads the record, but never holds a standing watch.
        await fixture.Grains.GetGrain<IUserGrain>("er-doc").SetAsync(new UserProfile("er-doc", "Dr. ER", UserKind.Clinician, null, []));
        Assert.True((await fixture.Grains.GetGrain<IEmergencyAccessGrain>(team.Patient).GrantAsync("er-doc", "Unresponsive in the waiting room")).Ok);
        Assert.True((await patient.GetCareAsync("er-doc")).Ok);
        Assert.Equal(ErrorCodes.Forbidden, (await patient.OpenAsync(IPatientGrain.CareFeed, "er-doc", null)).Error!.Code);

        var phq = await CareAsync(team.Pcp, team.Patient, new RecordMeasurement(Instrument.Phq9, Phq9(12)));
        await CareAsync(team.CareManager, team.Patient, new Enrol(team.Id, team.CareManager));

        var missed = await patient.OpenAsync(IPatientGrain.CareFeed, team.Psychiatrist, seq, epoch: epoch);
        Assert.True(missed.Ok);
        Assert.False(missed.Value!.Reset);
        var changes = missed.Value.Changes.Cast<PatientCareChange>().ToList();
        Assert.Equal([seq + 1, seq + 2], changes.Select(c => c.Seq));
        // Each change is the whole view: what the command answered, and the flags the board's card shows.
        Assert.Equal((phq.Entry.Version, phq.Entry.Latest), (changes[0].View!.Care.Entry.Version, changes[0].View!.Care.Entry.Latest));
        Assert.Contains(new CardFlag(FlagKind.Phq9, "12"), changes[0].View!.Flags);
        Assert.Contains(new CardFlag(FlagKind.RecentEdVisit, "chest pain"), changes[0].View!.Flags);
        Assert.True(changes[1].View!.Care.Entry.Enrolment!.IsActive);

        // A view that cannot be read after a stored change (the team's read fails) tells watchers to re-read.
        Faults.FailCalls(nameof(ICareTeamGrain.GetProfileAsync), team.Id, 1);
        var profile = (await patient.GetAsync())!;
        await patient.SetAsync(profile with { Room = "Exam 9" });
        var reset = Assert.Single((await patient.ReadSinceAsync(IPatientGrain.CareFeed, seq + 2, epoch)).Changes);
        Assert.True(((PatientCareChange)reset.For(Huddle.Contracts.Live.FeedAudiences.Members)!).Reset);
        // A reader resuming across it gets the snapshot at once, not the reset to re-read after.
        var afterSync = await patient.OpenAsync(IPatientGrain.CareFeed, team.Psychiatrist, seq + 2, epoch: epoch);
        Assert.True(afterSync.Value!.Reset);
        Assert.Equal(seq + 3, afterSync.Value.Seq);
        Assert.Contains(new CardFlag(FlagKind.Phq9, "12"), ((PatientCareView)afterSync.Value.Snapshot!).Flags);

        // The ring keeps a few whole views: a reader further behind gets the snapshot, never a wrong list.
        for (var i = 0; i < 4; i++)
        {
            await CareAsync(team.CareManager, team.Patient, new LogContact(ContactKind.Phone, 5 + i));
        }

        var behind = await patient.OpenAsync(IPatientGrain.CareFeed, team.Psychiatrist, seq, epoch: epoch);
        Assert.True(behind.Value!.Reset);
        Assert.Equal(seq + 7, behind.Value.Seq);
        Assert.Equal(26, ((PatientCareView)behind.Value.Snapshot!).Care.Status.MinutesThisMonth);
    }

    [Fact]
    public async Task When_the_patient_leaves_a_team_its_clinicians_stop_watching_the_patients_care_before_the_next_change()
    {
        var team = await TeamAsync(onBoard: false);
        var other = $"t-reg2-{Guid.NewGuid():N}"[..20];
        var outsider = $"{other}-bhc";
        await fixture.Grains.GetGrain<ICareTeamGrain>(other).SetProfileAsync(new CareTeamProfile(other, "Other team", CareTeamStatus.Active,
            [new TeamMember(outsider, "B. Other", CareTeamRole.Bhc)], [], "UTC"));
        await fixture.Grains.GetGrain<IUserGrain>(outsider).SetAsync(new UserProfile(outsider, outsider, UserKind.Clinician, null, [other]));
        var patient = fixture.Grains.GetGrain<IPatientGrain>(team.Patient);
        var profile = (await patient.GetAsync())!;
        await patient.SetAsync(profile with { TeamIds = [team.Id, other] });
        var opened = await patient.OpenAsync(IPatientGrain.CareFeed, outsider, null);
        Assert.True(opened.Ok, opened.Error?.Message);

        await patient.SetAsync(profile with { TeamIds = [team.Id] });
        var left = Assert.Single((await patient.ReadSinceAsync(IPatientGrain.CareFeed, opened.Value!.Seq, opened.Value.Epoch)).Changes);
        Assert.NotNull(left.Roster);
        Assert.Null(left.Roster.AudienceOf(outsider));
        Assert.Equal(Huddle.Contracts.Live.FeedAudiences.Members, left.Roster.AudienceOf(team.Psychiatrist));
        Assert.Equal(ErrorCodes.Forbidden, (await patient.OpenAsync(IPatientGrain.CareFeed, outsider, opened.Value.Seq, epoch: opened.Value.Epoch)).Error!.Code);

        // A sync that leaves no team carries no roster: nobody moves.
        await patient.SetAsync(profile with { TeamIds = [team.Id], Room = "Exam 4" });
        Assert.Null((await patient.ReadSinceAsync(IPatientGrain.CareFeed, opened.Value.Seq + 1, opened.Value.Epoch)).Changes.Single().Roster);
    }

    [Fact]
    public async Task A_failed_tell_to_the_board_is_sent_again_without_anyone_calling()
    {
        var team = await TeamAsync();
        Faults.FailCalls(nameof(ICareTeamGrain.SyncRegistryFlagsAsync), team.Id, 2);
        await CareAsync(team.Pcp, team.Patient, new RecordMeasurement(Instrument.Phq9, Phq9(11)));
        await Eventually.Until(async () => (await CardAsync(team)).Flags.Contains(new CardFlag(FlagKind.Phq9, "11")), Wait, "the card's score after two failed tells");
    }

    [Fact]
    public async Task Measurements_are_read_in_pages_newest_first_and_the_row_stays_bounded()
    {
        var team = await TeamAsync();
        var patient = fixture.Grains.GetGrain<IPatientGrain>(team.Patient);
        for (var i = 0; i < 150; i++)
        {
            await CareAsync(team.Pcp, team.Patient, new RecordMeasurement(i % 2 == 0 ? Instrument.Phq9 : Instrument.Gad7,
                i % 2 == 0 ? Phq9(i % 28) : [.. Enumerable.Repeat(i % 4, 7)], Today.AddDays(-150 + i)));
        }

        var first = (await patient.GetMeasurementsAsync(team.Pcp, null, 40)).Value!;
        Assert.Equal(Enumerable.Range(111, 40).Reverse().Select(n => (long)n), first.Measurements.Select(m => m.Number));
        Assert.Equal(111, first.Before);
        var seen = first.Measurements.Length;
        for (var before = first.Before; before is not null;)
        {
            var page = (await patient.GetMeasurementsAsync(team.Pcp, before, 40)).Value!;
            seen += page.Measurements.Length;
            before = page.Before;
        }

        Assert.Equal(150, seen);
        Assert.Equal(ErrorCodes.ValidationFailed, (await patient.GetMeasurementsAsync(team.Pcp, null, 0)).Error!.Code);

        var care = (await patient.GetCareAsync(team.Pcp)).Value!;
        Assert.Equal(RegistryLimits.RecentMeasurements, care.Recent.Length);
        Assert.Equal(75, care.Entry.Phq9.Length);
        var bytes = MeasuredGrainStorage.LastWriteBytes[((GrainReference)patient).GrainId];
        Assert.True(bytes < 16_000, $"{bytes} bytes");
    }
}
