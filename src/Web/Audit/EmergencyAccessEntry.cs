using Huddle.Contracts.Patients;

namespace Huddle.Web.Audit;

/// <summary>An emergency access for administrators' review: the grant with its reason, and the clinician's name as it is now.</summary>
public sealed record EmergencyAccessEntry(EmergencyGrant Grant, string? DisplayName);
