namespace Huddle.Web.Smart;

/// <summary>
/// Why a launch failed, for the page the browser gets (no token, no secret, no patient data in it). A
/// refusal of a known clinician for a known patient names both (<see cref="UserId"/>, <see cref="PatientId"/>)
/// for the audit trail.
/// </summary>
public sealed class SmartLaunchException(string code, string message, string? userId = null, string? patientId = null) : Exception(message)
{
    public string Code { get; } = code;

    /// <summary>The Huddle clinician the EHR's user maps to, when the launch got that far.</summary>
    public string? UserId { get; } = userId;

    /// <summary>The Huddle patient the EHR's patient maps to, when the launch got that far.</summary>
    public string? PatientId { get; } = patientId;
}
