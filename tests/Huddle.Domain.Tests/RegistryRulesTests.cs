using System.Collections.Immutable;
using Huddle.Contracts.Boards;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Registry;

namespace Huddle.Domain.Tests;

public class RegistryRulesTests
{
    private static readonly DateOnly Enrolled = new(2026, 9, 1);

    private static RegistryEntry Entry(
        ImmutableArray<TrendPoint>? phq9 = null,
        DateOnly? lastContact = null,
        CaseReview? review = null,
        DateOnly? safety = null,
        Enrolment? enrolment = null,
        ImmutableArray<MonthMinutes>? minutes = null) =>
        new("p-1", "Maria Lopez", "M.L.", enrolment ?? new Enrolment("team-1", Enrolled, "u-cm", "u-psy"),
            phq9 ?? [new TrendPoint(Enrolled, 18)], [], lastContact, minutes ?? [], review, safety, 1);

    [Theory]
    [InlineData(0, SeverityBand.Minimal)]
    [InlineData(4, SeverityBand.Minimal)]
    [InlineData(5, SeverityBand.Mild)]
    [InlineData(9, SeverityBand.Mild)]
    [InlineData(10, SeverityBand.Moderate)]
    [InlineData(14, SeverityBand.Moderate)]
    [InlineData(15, SeverityBand.ModeratelySevere)]
    [InlineData(19, SeverityBand.ModeratelySevere)]
    [InlineData(20, SeverityBand.Severe)]
    [InlineData(27, SeverityBand.Severe)]
    public void Phq9_bands_change_at_5_10_15_and_20(int total, SeverityBand band) =>
        Assert.Equal(band, Questionnaires.BandOf(Instrument.Phq9, total));

    [Theory]
    [InlineData(4, SeverityBand.Minimal)]
    [InlineData(5, SeverityBand.Mild)]
    [InlineData(9, SeverityBand.Mild)]
    [InlineData(10, SeverityBand.Moderate)]
    [InlineData(14, SeverityBand.Moderate)]
    [InlineData(15, SeverityBand.Severe)]
    [InlineData(21, SeverityBand.Severe)]
    public void Gad7_bands_change_at_5_10_and_15_with_no_moderately_severe(int total, SeverityBand band) =>
        Assert.Equal(band, Questionnaires.BandOf(Instrument.Gad7, total));

    [Fact]
    public void Totals_out_of_range_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Questionnaires.BandOf(Instrument.Phq9, 28));
        Assert.Throws<ArgumentOutOfRangeException>(() => Questionnaires.BandOf(Instrument.Gad7, 22));
        Assert.Throws<ArgumentOutOfRangeException>(() => Questionnaires.BandOf(Instrument.Phq9, -1));
    }

    [Fact]
    public void Answers_must_have_every_item_scored_0_to_3()
    {
        Assert.Null(Questionnaires.Check(Instrument.Phq9, [3, 3, 3, 3, 3, 3, 3, 3, 3]));
        Assert.Null(Questionnaires.Check(Instrument.Gad7, [0, 0, 0, 0, 0, 0, 0]));
        Assert.Contains("exactly 9", Questionnaires.Check(Instrument.Phq9, [1, 1, 1, 1, 1, 1, 1])!.Message);
        Assert.Contains("exactly 7", Questionnaires.Check(Instrument.Gad7, [1, 1, 1, 1, 1, 1, 1, 1, 1])!.Message);
        Assert.Contains("Item 3", Questionnaires.Check(Instrument.Phq9, [0, 0, 4, 0, 0, 0, 0, 0, 0])!.Message);
        Assert.Contains("Item 1", Questionnaires.Check(Instrument.Gad7, [-1, 0, 0, 0, 0, 0, 0])!.Message);
        Assert.NotNull(Questionnaires.Check(Instrument.Phq9, default));
        Assert.NotNull(Questionnaires.Check((Instrument)7, [0, 0, 0, 0, 0, 0, 0]));
    }

    [Fact]
    public void Item_9_above_0_raises_the_safety_flag_and_only_on_a_phq9()
    {
        Measurement M(Instrument i, ImmutableArray<int> items) => new(1, i, Enrolled, items, items.Sum(), SeverityBand.Mild, "u", DateTimeOffset.UnixEpoch);
        Assert.True(M(Instrument.Phq9, [0, 0, 0, 0, 0, 0, 0, 0, 1]).RaisesSafetyFlag);
        Assert.False(M(Instrument.Phq9, [3, 3, 3, 3, 3, 3, 3, 3, 0]).RaisesSafetyFlag);
        Assert.False(M(Instrument.Gad7, [3, 3, 3, 3, 3, 3, 3]).RaisesSafetyFlag);
    }

    [Theory]
    [InlineData(18, 9, true)]
    [InlineData(18, 10, false)]
    [InlineData(19, 9, true)]
    [InlineData(19, 10, false)]
    [InlineData(0, 0, false)]
    public void Response_is_a_drop_of_at_least_half_the_baseline(int baseline, int latest, bool response) =>
        Assert.Equal(response, RegistryRules.IsResponse(baseline, latest));

    [Fact]
    public void Remission_is_a_follow_up_phq9_below_5()
    {
        var today = Enrolled.AddDays(90);
        Assert.True(RegistryRules.StatusOf(Entry([new(Enrolled, 18), new(today, 4)]), today).Remission);
        Assert.False(RegistryRules.StatusOf(Entry([new(Enrolled, 18), new(today, 5)]), today).Remission);
        // A baseline below 5 alone is no remission: nothing was treated yet.
        Assert.False(RegistryRules.StatusOf(Entry([new(Enrolled, 4)]), today).Remission);
        var status = RegistryRules.StatusOf(Entry([new(Enrolled, 18), new(today, 4)]), today);
        Assert.True(status.Response);
        Assert.Equal(-14 / 18.0, status.ChangeFromBaseline!.Value, 6);
    }

    [Fact]
    public void The_baseline_is_a_phq9_of_the_30_days_before_enrolment_else_the_first_after_never_an_earlier_episodes()
    {
        // The screening that led to the referral, 10 days before: the baseline.
        Assert.Equal(17, Entry([new(Enrolled.AddDays(-10), 17), new(Enrolled.AddDays(20), 12)]).Baseline!.Total);
        // An earlier episode's last PHQ-9 (in remission, 5 months before): not the baseline; the intake after enrolment is.
        var again = Entry([new(Enrolled.AddDays(-150), 3), new(Enrolled.AddDays(2), 20), new(Enrolled.AddDays(60), 9)]);
        Assert.Equal(20, again.Baseline!.Total);
        var status = RegistryRules.StatusOf(again, Enrolled.AddDays(60));
        Assert.True(status.Response);
        Assert.False(status.Remission);
        Assert.Equal((9 - 20) / 20.0, status.ChangeFromBaseline!.Value, 6);
        // Only old PHQ-9s and none since: no baseline yet.
        Assert.Null(Entry([new(Enrolled.AddDays(-31), 18)]).Baseline);
    }

    [Fact]
    public void Response_remission_and_not_improving_are_judged_for_a_baseline_of_10_or_more_only()
    {
        var week8 = Enrolled.AddDays(56);
        // Enrolled with a PHQ-9 of 4 (for anxiety): a 3 later is no remission, a 0 → 0 no "not improving".
        var mild = RegistryRules.StatusOf(Entry([new(Enrolled, 4), new(week8, 3)]), week8);
        Assert.False(mild.Remission);
        Assert.False(mild.Response);
        Assert.False(mild.Prompts.HasFlag(RegistryPrompts.PsychiatricReview));
        Assert.False(RegistryRules.StatusOf(Entry([new(Enrolled, 0), new(week8, 0)]), week8).Prompts.HasFlag(RegistryPrompts.PsychiatricReview));
        // At the index score of 10: judged.
        var moderate = RegistryRules.StatusOf(Entry([new(Enrolled, 10), new(week8, 4)]), week8);
        Assert.True(moderate.Response && moderate.Remission);
        Assert.True(RegistryRules.StatusOf(Entry([new(Enrolled, 10), new(week8, 6)]), week8).Prompts.HasFlag(RegistryPrompts.PsychiatricReview));
    }

    [Fact]
    public void After_a_save_the_page_says_whom_item_9_pinged_and_when_it_raised_nothing()
    {
        Measurement M(int item9, DateOnly on, SafetyRoute route = SafetyRoute.None) =>
            new(1, Instrument.Phq9, on, [1, 1, 1, 1, 1, 1, 1, 1, item9], 8 + item9, SeverityBand.Mild, "u", DateTimeOffset.UnixEpoch, route);
        var flagged = Entry(safety: Enrolled);
        Assert.Equal(".", RegistryRules.SafetyWordsAfter(M(0, Enrolled), Entry()));
        Assert.Equal(" — safety flag raised; the care manager was pinged.", RegistryRules.SafetyWordsAfter(M(1, Enrolled, SafetyRoute.CareManager), flagged));
        Assert.Contains("behavioral health consultant was pinged", RegistryRules.SafetyWordsAfter(M(1, Enrolled, SafetyRoute.BhcRole), flagged), StringComparison.Ordinal);
        Assert.Contains("you are the care manager, so no ping was sent", RegistryRules.SafetyWordsAfter(M(2, Enrolled, SafetyRoute.EnteredByCareManager), flagged), StringComparison.Ordinal);
        Assert.Contains("nobody else on the team is a care manager or behavioral health consultant, so no ping was sent",
            RegistryRules.SafetyWordsAfter(M(2, Enrolled, SafetyRoute.NobodyElse), flagged), StringComparison.Ordinal);
        // Entered late, dated before the latest PHQ-9: no flag; pinged within the two weeks, and said so, else not claimed.
        Assert.Contains("no safety flag was raised", RegistryRules.SafetyWordsAfter(M(1, Enrolled.AddDays(-3)), Entry()), StringComparison.Ordinal);
        Assert.DoesNotContain("pinged", RegistryRules.SafetyWordsAfter(M(1, Enrolled.AddDays(-3)), Entry()), StringComparison.Ordinal);
        Assert.Contains("not been assessed: the care manager was pinged", RegistryRules.SafetyWordsAfter(M(1, Enrolled.AddDays(-3), SafetyRoute.CareManagerRole), Entry()), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cm", "pcp", "CareManager", "cm")]
    [InlineData("cm", "cm", "EnteredByCareManager", null)]
    [InlineData("gone", "pcp", "CareManagerRole", "role:CareManager")]
    [InlineData(null, "pcp", "CareManagerRole", "role:CareManager")]
    [InlineData(null, "cm", "EnteredByCareManager", null)]
    public void Item_9_pings_the_enrolled_care_manager_else_the_role_else_the_bhcs_never_the_one_who_entered_it(string? careManager, string enteredBy, string route, string? target)
    {
        var team = Team(("pcp", CareTeamRole.Pcp), ("cm", CareTeamRole.CareManager), ("bhc", CareTeamRole.Bhc));
        var (decided, to) = RegistryRules.SafetyRouteOf(careManager, team, enteredBy);
        Assert.Equal((route, target), (decided.ToString(), to is null ? null : to.UserId ?? $"role:{to.Role}"));
    }

    [Fact]
    public void With_no_other_care_manager_the_bhcs_are_pinged_and_with_none_nobody()
    {
        Assert.Equal((SafetyRoute.BhcRole, CareTeamRole.Bhc),
            RegistryRules.SafetyRouteOf(null, Team(("pcp", CareTeamRole.Pcp), ("bhc", CareTeamRole.Bhc)), "pcp") is var (r, t) ? (r, t!.Role) : default);
        // A BHC who entered it is not pinged about it; nor is anyone who is neither.
        Assert.Equal((SafetyRoute.NobodyElse, null), RegistryRules.SafetyRouteOf(null, Team(("pcp", CareTeamRole.Pcp), ("bhc", CareTeamRole.Bhc)), "bhc"));
        Assert.Equal((SafetyRoute.NobodyElse, null), RegistryRules.SafetyRouteOf(null, Team(("pcp", CareTeamRole.Pcp), ("psy", CareTeamRole.ConsultingPsychiatrist)), "pcp"));
    }

    private static Huddle.Contracts.CareTeams.CareTeamProfile Team(params (string Id, CareTeamRole Role)[] members) =>
        new("t", "Team", CareTeamStatus.Active, [.. members.Select(m => new TeamMember(m.Id, m.Id, m.Role))], [], "UTC");

    [Fact]
    public void No_contact_is_prompted_from_4_weeks_after_enrolment_until_a_contact()
    {
        Assert.False(RegistryRules.StatusOf(Entry(), Enrolled.AddDays(27)).Prompts.HasFlag(RegistryPrompts.NoContact));
        Assert.True(RegistryRules.StatusOf(Entry(), Enrolled.AddDays(28)).Prompts.HasFlag(RegistryPrompts.NoContact));
        Assert.False(RegistryRules.StatusOf(Entry(lastContact: Enrolled.AddDays(30)), Enrolled.AddDays(31)).Prompts.HasFlag(RegistryPrompts.NoContact));
        // A contact before the enrolment does not count.
        Assert.True(RegistryRules.StatusOf(Entry(lastContact: Enrolled.AddDays(-3)), Enrolled.AddDays(28)).Prompts.HasFlag(RegistryPrompts.NoContact));
    }

    [Fact]
    public void A_measurement_is_due_4_weeks_after_the_last_phq9()
    {
        var last = Enrolled.AddDays(10);
        var entry = Entry([new(Enrolled, 18), new(last, 15)]);
        Assert.False(RegistryRules.StatusOf(entry, last.AddDays(27)).Prompts.HasFlag(RegistryPrompts.MeasurementDue));
        Assert.True(RegistryRules.StatusOf(entry, last.AddDays(28)).Prompts.HasFlag(RegistryPrompts.MeasurementDue));
        Assert.True(RegistryRules.StatusOf(Entry([]), Enrolled).Prompts.HasFlag(RegistryPrompts.MeasurementDue));
        // Discharged: no prompts at all.
        var discharged = Entry([new(Enrolled, 18)], enrolment: new Enrolment("team-1", Enrolled, "u-cm", null, Enrolled.AddDays(5)));
        Assert.Equal(RegistryPrompts.None, RegistryRules.StatusOf(discharged, Enrolled.AddDays(200)).Prompts);
    }

    [Fact]
    public void Not_improving_from_week_8_asks_for_psychiatric_review_until_reviewed()
    {
        var week8 = Enrolled.AddDays(56);
        var notImproving = Entry([new(Enrolled, 18), new(week8, 16)], lastContact: week8);
        Assert.False(RegistryRules.StatusOf(notImproving, week8.AddDays(-1)).Prompts.HasFlag(RegistryPrompts.PsychiatricReview));
        Assert.True(RegistryRules.StatusOf(notImproving, week8).Prompts.HasFlag(RegistryPrompts.PsychiatricReview));
        Assert.Equal(8, RegistryRules.StatusOf(notImproving, week8).WeeksInTreatment);

        var improving = Entry([new(Enrolled, 18), new(week8, 9)], lastContact: week8);
        Assert.False(RegistryRules.StatusOf(improving, week8).Prompts.HasFlag(RegistryPrompts.PsychiatricReview));

        var reviewed = notImproving with { LastReview = new CaseReview(1, week8, "u-psy", "Increase sertraline to 100 mg") };
        Assert.False(RegistryRules.StatusOf(reviewed, week8.AddDays(27)).Prompts.HasFlag(RegistryPrompts.PsychiatricReview));
        Assert.True(RegistryRules.StatusOf(reviewed, week8.AddDays(28)).Prompts.HasFlag(RegistryPrompts.PsychiatricReview));
    }

    [Fact]
    public void The_card_shows_the_latest_score_its_direction_and_the_prompts()
    {
        var week8 = Enrolled.AddDays(56);
        var entry = Entry([new(Enrolled, 18), new(week8, 16)], lastContact: week8);
        var flags = RegistryRules.FlagsOf(entry, week8);
        Assert.Equal([new CardFlag(FlagKind.Phq9, "16 ↓"), new CardFlag(FlagKind.NeedsPsychReview)], flags);

        Assert.Equal("7 ↑", RegistryRules.ScoreFlag([new(Enrolled, 5), new(week8, 7)]));
        Assert.Equal("7 →", RegistryRules.ScoreFlag([new(Enrolled, 7), new(week8, 7)]));
        Assert.Equal("7", RegistryRules.ScoreFlag([new(Enrolled, 7)]));
        Assert.Null(RegistryRules.ScoreFlag([]));

        var safety = RegistryRules.FlagsOf(entry with { SafetyOn = week8 }, week8);
        Assert.Equal(FlagKind.SafetyRisk, safety[0].Kind);
    }

    [Fact]
    public void Merging_replaces_the_registry_kinds_and_keeps_the_teams()
    {
        ImmutableArray<CardFlag> card = [new(FlagKind.Phq9, "typed 12"), new(FlagKind.RecentEdVisit, "chest pain"), new(FlagKind.NeedsPsychReview)];
        var merged = RegistryRules.Merge(card, [new CardFlag(FlagKind.Phq9, "16 ↓")]);
        Assert.Equal([new CardFlag(FlagKind.Phq9, "16 ↓"), new CardFlag(FlagKind.RecentEdVisit, "chest pain")], merged!.Value);
        Assert.Null(RegistryRules.Merge(merged.Value, [new CardFlag(FlagKind.Phq9, "16 ↓")]));
    }

    [Theory]
    [InlineData(35, true, null, 0, 36)]
    [InlineData(36, true, "99492", 0, 86)]
    [InlineData(85, true, "99492", 0, 86)]
    [InlineData(86, true, "99492", 1, 116)]
    [InlineData(116, true, "99492", 2, 146)]
    [InlineData(30, false, null, 0, 31)]
    [InlineData(31, false, "99493", 0, 76)]
    [InlineData(75, false, "99493", 0, 76)]
    [InlineData(76, false, "99493", 1, 106)]
    [InlineData(105, false, "99493", 1, 106)]
    [InlineData(106, false, "99493", 2, 136)]
    public void Cocm_minutes_reach_their_codes_past_the_midpoint(int minutes, bool firstMonth, string? code, int addOns, int nextAt)
    {
        var month = CocmBilling.For(minutes, firstMonth);
        Assert.Equal(code, month.Code);
        Assert.Equal(addOns, month.AddOnUnits);
        Assert.Equal(nextAt, month.NextAt);
    }

    [Fact]
    public void This_months_minutes_and_the_first_month_come_from_the_enrolment()
    {
        var first = Entry(minutes: [new MonthMinutes(2026, 9, 40)]);
        var status = RegistryRules.StatusOf(first, new DateOnly(2026, 9, 20));
        Assert.Equal(40, status.MinutesThisMonth);
        Assert.Equal("99492", status.Billing.Code);
        var later = RegistryRules.StatusOf(Entry(minutes: [new MonthMinutes(2026, 10, 40)]), new DateOnly(2026, 10, 20));
        Assert.Equal("99493", later.Billing.Code);
        Assert.False(later.Billing.FirstMonth);
    }
}
