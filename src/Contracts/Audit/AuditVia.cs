using Huddle.Contracts.Common;

namespace Huddle.Contracts.Audit;

/// <summary>
/// How a call entered Huddle, carried with every grain call it makes (Orleans' request context): the
/// web host sets it where a person's call comes in (a hub invocation, an HTTP request, an interactive
/// page's event), and the silo audits the first grain call on patient data that carries it.
/// </summary>
public static class AuditVia
{
    public const string Key = "huddle.via";

    public const string Hub = "hub";
    public const string Http = "http";
    public const string Circuit = "circuit";

    /// <summary>Marks the calls that follow, in this flow, as coming through <paramref name="client"/>'s <paramref name="connection"/>.</summary>
    public static void Set(string client, string connection) => RequestContext.Set(Key, $"{client}:{connection}");

    /// <summary>The client kind and connection of <paramref name="via"/>.</summary>
    public static (string Client, string Connection) Parse(string via)
    {
        ArgumentNullException.ThrowIfNull(via);
        var colon = via.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? (via, "") : (via[..colon], via[(colon + 1)..]);
    }
}

/// <summary>Where a record goes: the day's log, and the patient's when it names one (the silo's filter and the web host's own refusals alike).</summary>
public static class AuditStore
{
    /// <summary>Appends <paramref name="record"/> to its logs; completes once stored in all of them.</summary>
    public static Task AppendAsync(IGrainFactory grains, AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(record);
        System.Collections.Immutable.ImmutableArray<AuditRecord> records = [record];
        var day = grains.Grain<IDayAuditLogGrain>(IDayAuditLogGrain.Key(DateOnly.FromDateTime(record.At.UtcDateTime))).AppendAsync(records);
        return record.PatientId is { } patientId && Common.Ids.IsValid(patientId)
            ? Task.WhenAll(day, grains.Grain<IPatientAuditLogGrain>(patientId).AppendAsync(records))
            : day;
    }
}
