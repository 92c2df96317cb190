namespace Huddle.Grains.Patients;

/// <summary>Emergency access ("break the glass"), <c>Huddle:EmergencyAccess:*</c>.</summary>
public sealed class EmergencyAccessOptions
{
    /// <summary>How long a grant lets its clinician read the patient's data (1 hour by default; 5 minutes to 24 hours).</summary>
    public TimeSpan Duration { get; set; } = TimeSpan.FromHours(1);
}
