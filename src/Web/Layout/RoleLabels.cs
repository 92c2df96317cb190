
using Huddle.Contracts.CareTeams;

namespace Huddle.Web.Layout;

/// <summary>Care team roles as clinicians say them.</summary>
public static class RoleLabels
{
    public static string Of(CareTeamRole role) => role switch
    {
        CareTeamRole.Pcp => "Primary care provider",
        CareTeamRole.Bhc => "Behavioral health consultant",
        CareTeamRole.CareManager => "Care manager",
        CareTeamRole.ConsultingPsychiatrist => "Consulting psychiatrist",
        CareTeamRole.Nurse => "Nurse",
        CareTeamRole.MedicalAssistant => "Medical assistant",
        CareTeamRole.SocialWorker => "Social worker",
        CareTeamRole.Pharmacist => "Pharmacist",
        CareTeamRole.FrontDesk => "Front desk",
        _ => role.ToString(),
    };
}
