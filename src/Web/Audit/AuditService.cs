using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Huddle.Contracts.Audit;
using Huddle.Contracts.Common;
using Huddle.Contracts.Users;

namespace Huddle.Web.Audit;

/// <summary>Reads the audit trail for administrators (the API and the audit page alike); each read is itself audited by the silo.</summary>
public sealed class AuditService(IGrainFactory grains, TimeProvider time)
{
    /// <summary>Pages read per grain call: 800 records (up to 4,000 in pages stored before pages held 20).</summary>
    private const int PagesPerRead = 40;

    /// <summary>Most records one query scans (whole pages) before answering with a cursor to go on from.</summary>
    private const int MaxRecordsScanned = 20_000;

    /// <summary>The access report reads at most this many queries' worth (10,000 records) and says when there was more.</summary>
    private const int ReportRounds = 10;

    /// <summary>The records of <paramref name="query"/>, newest first, at most its limit (whole pages: a page's matches are never split).</summary>
    public async Task<Result<AuditResults>> QueryAsync(string adminId, AuditQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (Invalid(query) is { } error)
        {
            return error;
        }

        var records = ImmutableArray.CreateBuilder<AuditRecord>();
        long? before = query.Before;
        var scanned = 0;
        var log = Log(query);
        do
        {
            var read = await log.ReadAsync(adminId, before, PagesPerRead);
            foreach (var page in read.Pages)
            {
                records.AddRange(page.Records.Reverse().Where(query.Matches));
                before = page.Number > 0 ? page.Number : null;
                scanned += page.Records.Length;
                if (records.Count >= query.Limit)
                {
                    break;
                }
            }

            if (read.Pages.IsEmpty)
            {
                before = null;
            }
        }
        while (before is not null && records.Count < query.Limit && scanned < MaxRecordsScanned);

        return new AuditResults(records.ToImmutable(), before);
    }

    /// <summary>Every record of <paramref name="query"/> as CSV (RFC 4180), newest first, read a page at a time.</summary>
    public async IAsyncEnumerable<string> CsvAsync(string adminId, AuditQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        yield return "at,user_id,action,target_kind,target_id,patient_id,outcome,code,client,connection,ref\r\n";
        var log = Log(query);
        long? before = query.Before;
        do
        {
            cancellationToken.ThrowIfCancellationRequested();
            var read = await log.ReadAsync(adminId, before, PagesPerRead);
            var lines = new StringBuilder();
            foreach (var record in read.Pages.SelectMany(p => p.Records.Reverse()).Where(query.Matches))
            {
                lines.AppendJoin(',', [
                    record.At.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
                    Csv(record.UserId), Csv(record.Action), Csv(record.TargetKind), Csv(record.TargetId), Csv(record.PatientId),
                    record.Outcome.ToString().ToLowerInvariant(), Csv(record.Code), Csv(record.Client), Csv(record.Connection), Csv(record.Ref)]).Append("\r\n");
            }

            yield return lines.ToString();
            before = read.Before;
        }
        while (before is not null);
    }

    /// <summary>Who touched <paramref name="patientId"/>'s data: a row a person (names looked up now; the records hold ids).</summary>
    public async Task<Result<PatientAccessReport>> PatientAccessAsync(string adminId, string patientId)
    {
        var records = new List<AuditRecord>();
        long? before = null;
        for (var round = 0; round < ReportRounds; round++)
        {
            var read = await QueryAsync(adminId, new AuditQuery(patientId, null, null, null, before, AuditQuery.MaxLimit));
            if (read.Error is { } error)
            {
                return error;
            }

            records.AddRange(read.Value!.Records);
            if ((before = read.Value.Before) is null)
            {
                break;
            }
        }

        var rows = await Task.WhenAll(records.GroupBy(r => r.UserId).Select(async g => new PatientAccessRow(
            g.Key,
            (await grains.Grain<IUserGrain>(g.Key).GetAsync())?.DisplayName,
            g.Min(r => r.At),
            g.Max(r => r.At),
            g.Count(),
            g.Count(r => r.Outcome == AuditOutcome.Denied),
            [.. g.Select(r => r.Action).Distinct().Order(StringComparer.Ordinal)])));
        return new PatientAccessReport(patientId, [.. rows.OrderByDescending(r => r.Last)], before is null);
    }

    /// <summary>
    /// The emergency accesses granted on <paramref name="day"/> (UTC), or to <paramref name="patientId"/>
    /// on any day, newest first, each with its reason read from the patient's grants (that read is audited too).
    /// </summary>
    public async Task<Result<ImmutableArray<EmergencyAccessEntry>>> EmergencyAccessAsync(string adminId, DateOnly? day, string? patientId)
    {
        var grants = await QueryAsync(adminId, new AuditQuery(patientId, day, null, AuditOutcome.Allowed, null, AuditQuery.MaxLimit, EmergencyGrantAction));
        if (grants.Error is { } error)
        {
            return error;
        }

        var entries = new List<EmergencyAccessEntry>();
        foreach (var record in grants.Value!.Records.Where(r => r.PatientId is not null && long.TryParse(r.Ref, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                     .DistinctBy(r => (r.PatientId, r.Ref)))
        {
            if (await grains.Grain<Contracts.Patients.IEmergencyAccessGrain>(record.PatientId!).GetAsync(adminId, long.Parse(record.Ref!, CultureInfo.InvariantCulture)) is { } grant)
            {
                entries.Add(await EntryAsync(grant));
            }
        }

        return entries.ToImmutableArray();
    }

    /// <summary>Administrator <paramref name="adminId"/> marks emergency access <paramref name="number"/> to <paramref name="patientId"/> reviewed.</summary>
    public async Task<Result<EmergencyAccessEntry>> ReviewEmergencyAsync(string adminId, string patientId, long number, Contracts.Patients.EmergencyReviewOutcome outcome, string? note)
    {
        if (!Ids.IsValid(patientId))
        {
            return HuddleError.InvalidId("patientId");
        }

        var reviewed = await grains.Grain<Contracts.Patients.IEmergencyAccessGrain>(patientId).ReviewAsync(adminId, number, outcome, note);
        return reviewed.Value is { } grant ? await EntryAsync(grant) : reviewed.Error!;
    }

    private async Task<EmergencyAccessEntry> EntryAsync(Contracts.Patients.EmergencyGrant grant) =>
        new(grant, (await grains.Grain<IUserGrain>(grant.UserId).GetAsync())?.DisplayName,
            grant.Review is { } review ? (await grains.Grain<IUserGrain>(review.ReviewerId).GetAsync())?.DisplayName : null);

    /// <summary>The audit's name of a granted emergency access.</summary>
    public const string EmergencyGrantAction = "EmergencyAccess.Grant";

    private static HuddleError? Invalid(AuditQuery query) =>
        query.PatientId is { } patient && !Ids.IsValid(patient) ? HuddleError.InvalidId("patientId")
        : query.UserId is { } user && !Ids.IsValid(user) ? HuddleError.InvalidId("userId")
        : query.Limit is < 1 or > AuditQuery.MaxLimit ? HuddleError.Invalid($"limit is 1-{AuditQuery.MaxLimit}.")
        : query.Before is < 0 ? HuddleError.Invalid("before is a cursor from an earlier answer.")
        : null;

    private IAuditLog Log(AuditQuery query) => query.PatientId is { } patientId
        ? grains.Grain<IPatientAuditLogGrain>(patientId)
        : grains.Grain<IDayAuditLogGrain>(IDayAuditLogGrain.Key(query.Day ?? DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime)));

    // Ids and codes never hold a comma or quote (Ids.IsValid), but a cell is quoted when it would need it all the same.
    private static string Csv(string? value) => Http.CsvText.Cell(value);
}
