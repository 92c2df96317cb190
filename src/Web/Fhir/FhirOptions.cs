namespace Huddle.Web.Fhir;

/// <summary>
/// The identifier systems of the FHIR export (<c>Huddle:Fhir:*</c>; docs/operations.md): an EHR
/// matches Huddle's opaque ids to its own records by these, so a deployment sets them to the systems its
/// EHR knows (the patient's is the one that matters most).
/// </summary>
public sealed class FhirOptions
{
    public string PatientIdentifierSystem { get; set; } = "urn:huddle:patient-id";
    public string UserIdentifierSystem { get; set; } = "urn:huddle:user-id";
    public string TeamIdentifierSystem { get; set; } = "urn:huddle:team-id";
    public string HandoffIdentifierSystem { get; set; } = "urn:huddle:handoff-id";
    public string MeasurementIdentifierSystem { get; set; } = "urn:huddle:measurement-id";
    public string RoleSystem { get; set; } = "urn:huddle:care-team-role";
    public string MessageIdentifierSystem { get; set; } = "urn:huddle:message-id";
    public string AuditActionSystem { get; set; } = "urn:huddle:audit-action";

    /// <summary>The most measurements one patient's export carries (newest first).</summary>
    public int MaxMeasurements { get; set; } = 500;
}
