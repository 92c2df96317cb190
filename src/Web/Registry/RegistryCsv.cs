using System.Globalization;
using System.Text;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Registry;
using Huddle.Web.Http;

namespace Huddle.Web.Registry;

/// <summary>
/// The registry and its metrics as CSV (RFC 4180; docs/api.md, "Registry"), for a care manager's
/// spreadsheet or a programme report. A cell that a spreadsheet would run as a formula (starting
/// with <c>=</c>, <c>+</c>, <c>-</c> or <c>@</c>) is written with a leading apostrophe.
/// </summary>
public static class RegistryCsv
{
    /// <summary>One row per enrolled patient, as the registry page shows them.</summary>
    public static string Rows(RegistryView view, CareTeamProfile? team)
    {
        ArgumentNullException.ThrowIfNull(view);
        var csv = new StringBuilder();
        Line(csv, "patientId", "patient", "careManager", "psychiatrist", "enrolledOn", "weeks", "phq9Baseline", "phq9Latest", "phq9LatestOn",
            "changePercent", "response", "remission", "gad7Latest", "lastContactOn", "minutesThisMonth", "cocmCode", "cocmAddOns", "prompts", "lastReviewOn");
        foreach (var (e, s) in view.Rows.Select(r => (r.Entry, r.Status)))
        {
            Line(csv, e.PatientId, e.DisplayName, NameOf(team, e.Enrolment?.CareManagerId), NameOf(team, e.Enrolment?.PsychiatristId), Day(e.Enrolment?.EnrolledOn),
                Number(s.WeeksInTreatment), Number(e.Baseline?.Total), Number(e.Latest?.Total), Day(e.Latest?.On),
                s.ChangeFromBaseline is { } c ? Math.Round(c * 100).ToString(CultureInfo.InvariantCulture) : "", Yes(s.Response), Yes(s.Remission),
                e.Gad7.IsDefaultOrEmpty ? "" : Number(e.Gad7[^1].Total), Day(e.LastContactOn), Number(s.MinutesThisMonth), s.Billing.Code ?? "",
                Number(s.Billing.AddOnUnits), s.Prompts == RegistryPrompts.None ? "" : s.Prompts.ToString(), Day(e.LastReview?.On));
        }

        return csv.ToString();
    }

    /// <summary>The metrics as measure, value rows, then the billing months.</summary>
    public static string Metrics(RegistryMetricsReport m, CareTeamProfile? team)
    {
        ArgumentNullException.ThrowIfNull(m);
        var csv = new StringBuilder();
        Line(csv, "family", "measure", "value", "of");
        Line(csv, "outcomes", "response at 12 weeks", Number(m.At12Weeks.Responding), Number(m.At12Weeks.Eligible));
        Line(csv, "outcomes", "remission at 12 weeks", Number(m.At12Weeks.Remitted), Number(m.At12Weeks.Eligible));
        Line(csv, "outcomes", "response at 24 weeks", Number(m.At24Weeks.Responding), Number(m.At24Weeks.Eligible));
        Line(csv, "outcomes", "remission at 24 weeks", Number(m.At24Weeks.Remitted), Number(m.At24Weeks.Eligible));
        Line(csv, "outcomes", "mean PHQ-9 change", m.MeanPhq9Change is { } c ? c.ToString("0.0", CultureInfo.InvariantCulture) : "", "");
        Line(csv, "operations", "enrolled", Number(m.Enrolled), "");
        Line(csv, "operations", "contacted in the last 4 weeks", Number(m.ContactedLast4Weeks), Number(m.Enrolled));
        Line(csv, "operations", "follow-ups overdue", Number(m.FollowUpsOverdue), Number(m.Enrolled));
        Line(csv, "operations", "due for psychiatric review", Number(m.DueForReview), Number(m.Enrolled));
        Line(csv, "operations", "longest wait for review (days)", Number(m.LongestReviewWaitDays), "");
        Line(csv, "operations", "reviewed in the last 60 days", Number(m.ReviewedLast60Days), "");
        foreach (var load in m.Caseloads)
        {
            Line(csv, "operations", $"caseload of {NameOf(team, load.CareManagerId)}", Number(load.Patients), "");
        }

        Line(csv, "financial", "ED visits flagged on today's board", Number(m.EdVisitsFlagged), "");
        Line(csv, "financial", "admissions flagged on today's board", Number(m.AdmissionsFlagged), "");
        foreach (var month in m.Billing)
        {
            Line(csv, "financial", $"billable CoCM patients {month.Year}-{month.Month:00}", Number(month.Billable), Number(month.PatientsWithMinutes));
        }

        return csv.ToString();
    }

    private static string NameOf(CareTeamProfile? team, string? userId) =>
        userId is null ? "" : team?.Members.FirstOrDefault(m => m.UserId == userId)?.DisplayName ?? userId;

    private static string Day(DateOnly? day) => day?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "";

    private static string Number(int? n) => n?.ToString(CultureInfo.InvariantCulture) ?? "";

    private static string Yes(bool value) => value ? "yes" : "no";

    private static void Line(StringBuilder csv, params string[] cells)
    {
        for (var i = 0; i < cells.Length; i++)
        {
            var cell = cells[i];
            if (cell.Length > 0 && cell[0] is '=' or '+' or '-' or '@' && !double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                cell = "'" + cell;
            }

            csv.Append(i == 0 ? "" : ",").Append(CsvText.Cell(cell));
        }

        csv.Append("\r\n");
    }
}
