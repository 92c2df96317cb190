using Huddle.Contracts.Audit;

namespace Huddle.Web.Audit;

/// <summary>
/// What an administrator asks of the audit trail (GET /api/admin/audit): one patient's log, or one
/// UTC day's; narrowed by user and outcome; read back from <see cref="Before"/> (a page cursor).
/// </summary>
/// <remarks>
/// <see cref="HideAuditReads"/> leaves out reads of the audit trail itself (<see cref="AuditReadAction"/>): each
/// look at this page is one, and on a quiet day the officer's own reading would bury the clinicians' records.
/// </remarks>
public sealed record AuditQuery(string? PatientId, DateOnly? Day, string? UserId, AuditOutcome? Outcome, long? Before, int Limit, string? Action = null,
    bool HideAuditReads = false)
{
    public const int MaxLimit = 1000;

    /// <summary>The action recorded for a read of the audit trail (the audit log grain's <c>ReadAsync</c>).</summary>
    public const string AuditReadAction = "AuditLog.Read";

    public bool Matches(AuditRecord record) =>
        (UserId is null || record.UserId == UserId)
        && (Outcome is null || record.Outcome == Outcome)
        && (PatientId is null || record.PatientId == PatientId)
        && (Action is null || record.Action == Action)
        && !(HideAuditReads && record.Action == AuditReadAction);
}
