using Huddle.Contracts.Audit;

namespace Huddle.Web.Audit;

/// <summary>
/// What an administrator asks of the audit trail (GET /api/admin/audit): one patient's log, or one
/// UTC day's; narrowed by user and outcome; read back from <see cref="Before"/> (a page cursor).
/// </summary>
public sealed record AuditQuery(string? PatientId, DateOnly? Day, string? UserId, AuditOutcome? Outcome, long? Before, int Limit, string? Action = null)
{
    public const int MaxLimit = 1000;

    public bool Matches(AuditRecord record) =>
        (UserId is null || record.UserId == UserId)
        && (Outcome is null || record.Outcome == Outcome)
        && (PatientId is null || record.PatientId == PatientId)
        && (Action is null || record.Action == Action);
}
