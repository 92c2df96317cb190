using Huddle.Contracts.Patients;

namespace Huddle.Web.Audit;

/// <summary>Body of POST /api/admin/emergency-access/{patientId}/{number}/review.</summary>
public sealed record EmergencyReviewRequest(EmergencyReviewOutcome? Outcome, string? Note = null);
