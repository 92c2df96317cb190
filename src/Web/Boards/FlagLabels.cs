
using Huddle.Contracts.Boards;

namespace Huddle.Web.Boards;

/// <summary>Short, plain-language flag labels for cards.</summary>
public static class FlagLabels
{
    public static string Of(CardFlag flag)
    {
        ArgumentNullException.ThrowIfNull(flag);
        var label = flag.Kind switch
        {
            FlagKind.Phq9 => "PHQ-9",
            FlagKind.Gad7 => "GAD-7",
            FlagKind.OverdueFollowUp => "Follow-up overdue",
            FlagKind.RecentEdVisit => "Recent ED visit",
            FlagKind.RecentAdmission => "Recent admission",
            FlagKind.CareGap => "Care gap",
            FlagKind.NeedsPsychReview => "Psych review",
            FlagKind.SafetyRisk => "Safety risk",
            FlagKind.ContactDue => "Contact due",
            FlagKind.MeasurementDue => "PHQ-9 due",
            _ => flag.Kind.ToString(),
        };
        return flag.Detail is null ? label : $"{label} {flag.Detail}";
    }
}
