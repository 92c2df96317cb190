namespace Huddle.Web.Emergency;

/// <summary>What the emergency page tells a clinician of a grant's length (<c>Huddle:EmergencyAccess:Duration</c>, the silo's setting).</summary>
public sealed class EmergencyPageOptions
{
    public TimeSpan Duration { get; set; } = TimeSpan.FromHours(1);
}
