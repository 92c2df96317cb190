using Huddle.Contracts.Patients;

namespace Huddle.Web.Audit;

/// <summary>
/// An emergency access for administrators' review: the grant with its reason (and its review, once
/// done), the clinician's name as it is now, and the reviewer's.
/// </summary>
public sealed record EmergencyAccessEntry(EmergencyGrant Grant, string? DisplayName, string? ReviewerName = null);
