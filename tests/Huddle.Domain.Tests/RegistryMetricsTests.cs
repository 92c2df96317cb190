using System.Collections.Immutable;
using Huddle.Contracts.Registry;

namespace Huddle.Domain.Tests;

public class RegistryMetricsTests
{
    private static readonly DateOnly Today = new(2026, 12, 4);

    private static RegistryEntry Entry(string id, int enrolledDaysAgo, ImmutableArray<TrendPoint> phq9, string careManager = "u-cm",
        DateOnly? lastContact = null, ImmutableArray<MonthMinutes>? minutes = null, DateOnly? discharged = null, CaseReview? review = null) =>
        new(id, id, "X.Y.", new Enrolment("team-1", Today.AddDays(-enrolledDaysAgo), careManager, "u-psy", discharged), phq9, [], lastContact,
            minutes ?? [], review, null, 1);

    private static TrendPoint At(int daysAgo, int total) => new(Today.AddDays(-daysAgo), total);

    [Fact]
    public void Outcomes_at_12_and_24_weeks_count_the_last_phq9_in_each_window_and_the_unmeasured_as_not_responding()
    {
        RegistryEntry[] entries =
        [
            // 120 days in: baseline 20, 9 at day 100 (in the 12-week window: days 70-112) → response, no remission.
            Entry("p-1", 120, [At(120, 20), At(20, 9)]),
            // 200 days in: 4 at day 90 (remission at 12 weeks) and 12 at day 180 (24-week window: days 154-196) → not responding then.
            Entry("p-2", 200, [At(200, 16), At(110, 4), At(20, 12)]),
            // 115 days in, nothing measured in the window: eligible, unmeasured.
            Entry("p-3", 115, [At(115, 18), At(1, 5)]),
            // 60 days in: not eligible yet.
            Entry("p-4", 60, [At(60, 18), At(1, 4)]),
        ];
        var m = RegistryMetrics.Compute(entries, Today);
        Assert.Equal(new OutcomeAt(12, 3, 2, 2, 1), m.At12Weeks);
        Assert.Equal(new OutcomeAt(24, 1, 1, 0, 0), m.At24Weeks);
        Assert.Equal(2 / 3.0, m.At12Weeks.ResponseShare!.Value, 6);

        // A period of one month: only who reached week 12 in it (p-2 did 88 days ago) and its one billing month.
        var month = RegistryMetrics.Compute(entries, Today, months: 1);
        Assert.Equal(new OutcomeAt(12, 2, 1, 1, 0), month.At12Weeks);
        Assert.Equal(new OutcomeAt(24, 1, 1, 0, 0), month.At24Weeks);
        Assert.Single(month.Billing);
        Assert.Throws<ArgumentOutOfRangeException>(() => RegistryMetrics.Compute(entries, Today, months: 13));
        Assert.Null(new OutcomeAt(12, 0, 0, 0, 0).ResponseShare);
        // Mean change of those followed up: (9-20) + (12-16) + (5-18) + (4-18) over 4.
        Assert.Equal((-11 - 4 - 13 - 14) / 4.0, m.MeanPhq9Change!.Value, 6);
    }

    [Fact]
    public void Outcomes_count_index_baselines_of_10_or_more_with_a_follow_up_after_the_baseline()
    {
        RegistryEntry[] entries =
        [
            // The first PHQ-9 taken late, on day 80 (in the window): it is the baseline, not a follow-up.
            Entry("p-late", 120, [At(40, 16)]),
            // Enrolled with a PHQ-9 of 4: not eligible (no index score), though it has a 2 in the window.
            Entry("p-mild", 120, [At(120, 4), At(30, 2)]),
            // Eligible and remitted.
            Entry("p-ok", 120, [At(120, 14), At(30, 3)]),
            // A baseline of 0 followed up: counted in the mean change (in points).
            Entry("p-zero", 60, [At(60, 0), At(5, 6)]),
        ];
        var m = RegistryMetrics.Compute(entries, Today);
        Assert.Equal(new OutcomeAt(12, 2, 1, 1, 1), m.At12Weeks);
        Assert.Equal((-2 - 11 + 6) / 3.0, m.MeanPhq9Change!.Value, 6);
    }

    [Fact]
    public void The_review_wait_of_a_patient_who_responded_and_then_stopped_starts_when_they_stopped()
    {
        // 160 days in: baseline 18, 8 on day 56 (a response), 15 on day 150 (no longer): due since day 150, 10 days.
        var relapsed = Entry("p-1", 160, [At(160, 18), At(104, 8), At(10, 15)]);
        Assert.True(RegistryRules.StatusOf(relapsed, Today).Prompts.HasFlag(RegistryPrompts.PsychiatricReview));
        Assert.Equal(10, RegistryMetrics.Compute([relapsed], Today).LongestReviewWaitDays);
        // Never responding: from week 8 (day 56 of 90: 34 days), as before.
        Assert.Equal(90 - 56, RegistryMetrics.Compute([Entry("p-2", 90, [At(90, 18), At(40, 17)])], Today).LongestReviewWaitDays);
    }

    [Fact]
    public void Operations_count_contacts_overdue_follow_ups_reviews_and_caseloads()
    {
        RegistryEntry[] entries =
        [
            Entry("p-1", 70, [At(70, 18), At(10, 17)], "u-a", lastContact: Today.AddDays(-3)),
            Entry("p-2", 90, [At(90, 18), At(40, 17)], "u-a", lastContact: Today.AddDays(-40)),
            Entry("p-3", 30, [At(30, 12)], "u-b"),
            Entry("p-4", 100, [At(100, 15), At(5, 14)], "u-b", lastContact: Today.AddDays(-1), review: new CaseReview(1, Today.AddDays(-10), "u-psy", "Add therapy")),
            Entry("p-5", 300, [At(300, 15)], "u-b", discharged: Today.AddDays(-100)),
        ];
        var m = RegistryMetrics.Compute(entries, Today, edVisitsFlagged: 2, admissionsFlagged: 1);
        Assert.Equal(4, m.Enrolled);
        Assert.Equal(2, m.ContactedLast4Weeks);
        Assert.Equal(0.5, m.ContactRate);
        // p-2 (contact and PHQ-9 over 4 weeks ago) and p-3 (no contact at 30 days): overdue.
        Assert.Equal(2, m.FollowUpsOverdue);
        // p-1 (week 10) and p-2 (week 12) not improving and not reviewed: p-2 has waited since week 8, 34 days.
        Assert.Equal(2, m.DueForReview);
        Assert.Equal(90 - 56, m.LongestReviewWaitDays);
        Assert.Equal(1, m.ReviewedLast60Days);
        Assert.Equal([new Caseload("u-a", 2), new Caseload("u-b", 2)], m.Caseloads);
        Assert.Equal((2, 1), (m.EdVisitsFlagged, m.AdmissionsFlagged));
    }

    [Fact]
    public void Billing_counts_each_month_the_patients_with_minutes_and_those_past_the_code_threshold()
    {
        RegistryEntry[] entries =
        [
            // Enrolled this month (first month: 36 minutes for 99492).
            Entry("p-1", 2, [At(2, 15)], minutes: [new MonthMinutes(2026, 12, 36)]),
            // Enrolled earlier: 30 minutes in November (short of 99493's 31), 31 in October.
            Entry("p-2", 70, [At(70, 15)], minutes: [new MonthMinutes(2026, 10, 31), new MonthMinutes(2026, 11, 30)]),
        ];
        var billing = RegistryMetrics.Compute(entries, Today).Billing;
        Assert.Equal(RegistryMetrics.BillingMonths, billing.Length);
        Assert.Equal(new BillingMonth(2026, 12, 1, 1, 36), billing[^1]);
        Assert.Equal(new BillingMonth(2026, 11, 1, 0, 30), billing[^2]);
        Assert.Equal(new BillingMonth(2026, 10, 1, 1, 31), billing[^3]);
        Assert.Equal((2026, 1), (billing[0].Year, billing[0].Month));
    }
}
