using Huddle.Contracts.Audit;

namespace Huddle.Web.Audit;

/// <summary>
/// Records the refusals the web host makes itself, before any grain is called (an administrators'
/// endpoint asked for by a clinician, a presence that is not a teammate's): every denied attempt is in
/// the trail, not only those a grain refused (those the silo records, <c>AuditCallFilter</c>).
/// </summary>
public sealed class AuditWriter(IGrainFactory grains, TimeProvider time)
{
    /// <summary>Stores one denied record of <paramref name="userId"/>'s call; returns once stored.</summary>
    public Task DeniedAsync(string userId, string action, string targetKind, string targetId, string? patientId, string code, string? client = null, string? connection = null)
    {
        var (via, through) = RequestContext.Get(AuditVia.Key) is string marked ? AuditVia.Parse(marked) : (AuditVia.Http, "");
        var record = new AuditRecord(time.GetUtcNow(), userId, action, targetKind, targetId, patientId, AuditOutcome.Denied, code, client ?? via, connection ?? through);
        return AuditStore.AppendAsync(grains, record);
    }
}
