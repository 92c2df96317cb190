
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

    /// <summary>A flag's chip colour: scores and reviews secondary, acute events and safety error, what is due warning.</summary>
    public static MudBlazor.Color ColorOf(FlagKind kind) => kind switch
    {
        FlagKind.Phq9 or FlagKind.Gad7 or FlagKind.NeedsPsychReview => MudBlazor.Color.Secondary,
        FlagKind.RecentEdVisit or FlagKind.RecentAdmission or FlagKind.SafetyRisk => MudBlazor.Color.Error,
        FlagKind.OverdueFollowUp or FlagKind.ContactDue or FlagKind.MeasurementDue => MudBlazor.Color.Warning,
        _ => MudBlazor.Color.Default,
    };
}
