using System.Collections.Immutable;
using Huddle.Contracts.Audit;

namespace Huddle.Web.Audit;

/// <summary>
/// A line of the audit page: one record, or the same call made again by the same person on the same record
/// with the same outcome within <see cref="Window"/> of the line's newest. One look at a page reads each of
/// its records once as the page is served and again when it turns live, and a live page opens a feed it reads
/// already: before, a board's one look was 15 lines, each record two or three times between the others.
/// <see cref="Count"/> says how many, <see cref="Vias"/> through which connections; a line stands where its
/// newest record does. The page only shows them together: every record is kept, counted, and in the CSV one per line.
/// </summary>
public sealed record AuditRow(AuditRecord Newest, DateTimeOffset Oldest, int Count, ImmutableArray<AuditRow.Via> Vias)
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    /// <summary>How a call came in (http, hub or circuit) and its connection, circuit or request id.</summary>
    public readonly record struct Via(string Client, string Connection);

    /// <summary>Lines of <paramref name="newestFirst"/> (records newest first), each where its newest record is.</summary>
    public static ImmutableArray<AuditRow> Of(IEnumerable<AuditRecord> newestFirst)
    {
        ArgumentNullException.ThrowIfNull(newestFirst);
        var rows = new List<AuditRow>();
        // The line each call is still gathering into.
        var open = new Dictionary<(string, string, string, string, string?, AuditOutcome, string?, string?), int>();
        foreach (var record in newestFirst)
        {
            var via = new Via(record.Client, record.Connection);
            // The same call: the same person, action, record, patient, outcome and reference (not the time or connection).
            var call = (record.UserId, record.Action, record.TargetKind, record.TargetId, record.PatientId, record.Outcome, record.Code, record.Ref);
            if (open.TryGetValue(call, out var at) && rows[at] is var line && line.Newest.At - record.At <= Window)
            {
                rows[at] = line with { Oldest = record.At, Count = line.Count + 1, Vias = line.Vias.Contains(via) ? line.Vias : line.Vias.Add(via) };
            }
            else
            {
                open[call] = rows.Count;
                rows.Add(new AuditRow(record, record.At, 1, [via]));
            }
        }

        return [.. rows];
    }

}
