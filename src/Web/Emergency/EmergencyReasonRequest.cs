namespace Huddle.Web.Emergency;

/// <summary>The body of POST /api/patients/{patientId}/emergency-access: why the clinician needs the record.</summary>
public sealed record EmergencyReasonRequest(string? Reason);
