namespace Huddle.Contracts.Registry;

/// <summary>
/// Whom a PHQ-9's item 9 above 0 pings (docs/clinical.md, "Safety"), as decided when it was recorded
/// (<see cref="RegistryRules.SafetyRouteOf"/>), so the page after a save says what was done, not what usually is.
/// </summary>
public enum SafetyRoute
{
    /// <summary>No ping owed: item 9 at 0, not a PHQ-9, or an older form past the PHQ-9's two weeks.</summary>
    None = 0,

    /// <summary>The patient's care manager, by name (enrolled on the team).</summary>
    CareManager,

    /// <summary>Whoever else holds the care-manager role on the team (not enrolled there, or the enrolled care manager left the team).</summary>
    CareManagerRole,

    /// <summary>Nobody else on the team is a care manager: its behavioral health consultants.</summary>
    BhcRole,

    /// <summary>The clinician who entered it is the care manager: no ping (they know).</summary>
    EnteredByCareManager,

    /// <summary>Nobody else on the team is a care manager or a behavioral health consultant: no ping.</summary>
    NobodyElse,
}
