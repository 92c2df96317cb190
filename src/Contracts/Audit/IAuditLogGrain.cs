using System.Collections.Immutable;

namespace Huddle.Contracts.Audit;

/// <summary>An append-only audit log, in pages (<see cref="IDayAuditLogGrain"/>, <see cref="IPatientAuditLogGrain"/>).</summary>
public interface IAuditLog
{
    /// <summary>Appends <paramref name="records"/>; returns once they are stored (calls arriving meanwhile share one write).</summary>
    [AlwaysInterleave]
    Task AppendAsync(ImmutableArray<AuditRecord> records);

    /// <summary>
    /// Up to <paramref name="maxPages"/> stored pages older than page <paramref name="before"/> (null:
    /// from the newest), newest first, for the administrator <paramref name="userId"/> (the web host
    /// checks the role); the read is itself audited.
    /// </summary>
    [AlwaysInterleave]
    Task<AuditRead> ReadAsync(string userId, long? before, int maxPages);
}

/// <summary>Every audited call answered on one UTC day; keyed <c>yyyyMMdd</c> (<see cref="Key"/>).</summary>
public interface IDayAuditLogGrain : IAuditLog, IGrainWithStringKey
{
    public static string Key(DateOnly day) => day.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>The audited calls on one patient's data; keyed by the patient id.</summary>
public interface IPatientAuditLogGrain : IAuditLog, IGrainWithStringKey;

/// <summary>
/// Marks a grain method that takes a user id but is left out of the audit trail, with the reason: it
/// reads or changes nothing of a patient's (presence, team settings) or it is a check another audited
/// call follows. Every other such method is audited; a test holds every method to one or the other.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class NotAuditedAttribute(string reason) : Attribute
{
    public string Reason { get; } = reason;
}
