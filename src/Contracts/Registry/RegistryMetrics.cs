using System.Collections.Immutable;

namespace Huddle.Contracts.Registry;

/// <summary>Outcomes at a point of treatment (12 or 24 weeks): of the patients that far into treatment, how many were measured then, responded, remitted.</summary>
[GenerateSerializer, Immutable, Alias("huddle.registry-outcome")]
public sealed record OutcomeAt(
    [property: Id(0)] int Week,
    [property: Id(1)] int Eligible,
    [property: Id(2)] int Measured,
    [property: Id(3)] int Responding,
    [property: Id(4)] int Remitted)
{
    /// <summary>Share of the eligible responding (intention to treat: unmeasured count as not responding), or null with none eligible.</summary>
    public double? ResponseShare => Eligible == 0 ? null : (double)Responding / Eligible;

    public double? RemissionShare => Eligible == 0 ? null : (double)Remitted / Eligible;
}

/// <summary>A care manager's caseload: active enrolled patients.</summary>
[GenerateSerializer, Immutable, Alias("huddle.registry-caseload")]
public sealed record Caseload(
    [property: Id(0)] string CareManagerId,
    [property: Id(1)] int Patients);

/// <summary>One calendar month's billing: patients with minutes, and how many reached a CoCM code.</summary>
[GenerateSerializer, Immutable, Alias("huddle.registry-billing-month")]
public sealed record BillingMonth(
    [property: Id(0)] int Year,
    [property: Id(1)] int Month,
    [property: Id(2)] int PatientsWithMinutes,
    [property: Id(3)] int Billable,
    [property: Id(4)] int Minutes);

/// <summary>
/// A team's Collaborative Care figures as of a day, for the seed's three families (docs/clinical.md,
/// "Registry metrics"): outcomes, operations, what the team can count of financial impact.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.registry-metrics")]
public sealed record RegistryMetricsReport(
    [property: Id(0)] DateOnly Today,
    [property: Id(1)] int Enrolled,
    [property: Id(2)] OutcomeAt At12Weeks,
    [property: Id(3)] OutcomeAt At24Weeks,
    [property: Id(4)] double? MeanPhq9Change,
    [property: Id(5)] int ContactedLast4Weeks,
    [property: Id(6)] int FollowUpsOverdue,
    [property: Id(7)] int DueForReview,
    [property: Id(8)] int? LongestReviewWaitDays,
    [property: Id(9)] int ReviewedLast60Days,
    [property: Id(10)] ImmutableArray<Caseload> Caseloads,
    [property: Id(11)] ImmutableArray<BillingMonth> Billing,
    [property: Id(12)] int EdVisitsFlagged,
    [property: Id(13)] int AdmissionsFlagged,
    [property: Id(14)] int Months)
{
    /// <summary>Contact rate: the share of active enrolled patients with a care-manager contact in the last 4 weeks.</summary>
    public double? ContactRate => Enrolled == 0 ? null : (double)ContactedLast4Weeks / Enrolled;
}

/// <summary>
/// The registry's metrics as plain functions of its entries and a day (docs/clinical.md, "Registry
/// metrics"). Windows: "at 12 weeks" is the last PHQ-9 from day 70 to day 112 of treatment (NYS's
/// "after 70 days"), "at 24 weeks" from day 154 to day 196. The chosen period (1 to 12 months back from
/// today) bounds the outcomes to patients who reached that point of treatment within it, and the billing
/// months listed.
/// </summary>
public static class RegistryMetrics
{
    public static readonly (int Week, int From, int To) Week12 = (12, 70, 112);
    public static readonly (int Week, int From, int To) Week24 = (24, 154, 196);

    /// <summary>The longest period (calendar months, this one and those before): the entries keep 13 months of minutes.</summary>
    public const int BillingMonths = 12;

    /// <summary>The periods the page offers.</summary>
    public static readonly int[] Periods = [3, 6, 12];

    public static RegistryMetricsReport Compute(IReadOnlyCollection<RegistryEntry> entries, DateOnly today, int months = BillingMonths,
        int edVisitsFlagged = 0, int admissionsFlagged = 0)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentOutOfRangeException.ThrowIfLessThan(months, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(months, BillingMonths);
        var since = today.AddMonths(-months);
        var active = entries.Where(e => e.Enrolment is { IsActive: true }).ToList();
        var statuses = active.Select(e => (Entry: e, Status: RegistryRules.StatusOf(e, today))).ToList();
        // Every active patient with a follow-up score (a baseline of 0 included: its change is in points, not a share).
        var changes = active.Where(e => e.Baseline is { } b && e.Latest is { } l && l.On > b.On).Select(e => (double)(e.Latest!.Total - e.Baseline!.Total)).ToList();
        var waiting = statuses.Where(s => s.Status.Prompts.HasFlag(RegistryPrompts.PsychiatricReview))
            .Select(s => today.DayNumber - DueForReviewSince(s.Entry).DayNumber)
            .ToList();
        return new RegistryMetricsReport(
            today,
            active.Count,
            OutcomeOf(entries, today, since, Week12),
            OutcomeOf(entries, today, since, Week24),
            changes.Count == 0 ? null : changes.Average(),
            active.Count(e => e.LastContactOn is { } c && today.DayNumber - c.DayNumber < RegistryRules.FollowUpDays && c >= e.Enrolment!.EnrolledOn),
            statuses.Count(s => (s.Status.Prompts & (RegistryPrompts.NoContact | RegistryPrompts.MeasurementDue)) != 0),
            waiting.Count,
            waiting.Count == 0 ? null : waiting.Max(),
            entries.Count(e => e.LastReview is { } r && today.DayNumber - r.On.DayNumber < 60),
            [.. active.GroupBy(e => e.Enrolment!.CareManagerId).Select(g => new Caseload(g.Key, g.Count())).OrderByDescending(c => c.Patients).ThenBy(c => c.CareManagerId, StringComparer.Ordinal)],
            BillingOf(entries, today, months),
            edVisitsFlagged,
            admissionsFlagged,
            months);
    }

    /// <summary>
    /// When a patient due for psychiatric case review met the rule: week 8 of treatment, the end of the last
    /// review's 4 weeks, or — for one who responded and stopped responding — the first PHQ-9 after their last
    /// responding one, whichever is latest.
    /// </summary>
    public static DateOnly DueForReviewSince(RegistryEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var since = entry.Enrolment!.EnrolledOn.AddDays(RegistryRules.ReviewFromWeek * 7);
        if (entry.LastReview is { } review && review.On.AddDays(RegistryRules.ReviewHoldsDays) > since)
        {
            since = review.On.AddDays(RegistryRules.ReviewHoldsDays);
        }

        if (entry.Baseline is { } baseline
            && entry.Phq9.LastOrDefault(p => p.On > baseline.On && RegistryRules.IsResponse(baseline.Total, p.Total)) is { } responded
            && entry.Phq9.FirstOrDefault(p => p.On > responded.On) is { } relapse && relapse.On > since)
        {
            since = relapse.On;
        }

        return since;
    }

    /// <summary>Outcomes at a window of treatment: the eligible are enrolments (active or not) with an index baseline (10 or more) that reached the window's end within the period.</summary>
    private static OutcomeAt OutcomeOf(IEnumerable<RegistryEntry> entries, DateOnly today, DateOnly since, (int Week, int From, int To) window)
    {
        var (eligible, measured, responding, remitted) = (0, 0, 0, 0);
        foreach (var e in entries)
        {
            // Judged for an index PHQ-9 of 10 or more only (RegistryRules.IndexAtLeast).
            if (e.Enrolment is not { } enrolment || e.Baseline is not { Total: >= RegistryRules.IndexAtLeast } baseline)
            {
                continue;
            }

            var end = enrolment.DischargedOn is { } discharged && discharged < today ? discharged : today;
            if (end.DayNumber - enrolment.EnrolledOn.DayNumber < window.To || enrolment.EnrolledOn.AddDays(window.To) < since)
            {
                continue;
            }

            eligible++;
            var from = enrolment.EnrolledOn.AddDays(window.From);
            var to = enrolment.EnrolledOn.AddDays(window.To);
            // A follow-up: the baseline itself (a first PHQ-9 taken late) is not one.
            if (e.Phq9.LastOrDefault(p => p.On >= from && p.On <= to && p.On > baseline.On) is { } at)
            {
                measured++;
                responding += RegistryRules.IsResponse(baseline.Total, at.Total) ? 1 : 0;
                remitted += at.Total < RegistryRules.RemissionBelow ? 1 : 0;
            }
        }

        return new OutcomeAt(window.Week, eligible, measured, responding, remitted);
    }

    /// <summary>The last <paramref name="count"/> calendar months: patients with care-manager minutes, and those whose minutes reached a CoCM code.</summary>
    private static ImmutableArray<BillingMonth> BillingOf(IEnumerable<RegistryEntry> entries, DateOnly today, int count)
    {
        var months = Enumerable.Range(0, count).Select(i => today.AddMonths(-i)).Select(d => (d.Year, d.Month)).Reverse().ToList();
        var list = entries.ToList();
        return
        [
            .. months.Select(m =>
            {
                var (patients, billable, minutes) = (0, 0, 0);
                foreach (var e in list)
                {
                    var spent = e.Minutes.FirstOrDefault(x => x.Year == m.Year && x.Month == m.Month)?.Minutes ?? 0;
                    if (spent == 0)
                    {
                        continue;
                    }

                    patients++;
                    minutes += spent;
                    var first = e.Enrolment is { } en && en.EnrolledOn.Year == m.Year && en.EnrolledOn.Month == m.Month;
                    billable += CocmBilling.For(spent, first).Code is null ? 0 : 1;
                }

                return new BillingMonth(m.Year, m.Month, patients, billable, minutes);
            }),
        ];
    }
}
