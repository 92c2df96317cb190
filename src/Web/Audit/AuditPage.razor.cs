using System.Globalization;
using Huddle.Contracts.Audit;
using Huddle.Contracts.Common;
using Huddle.Contracts.Users;
using Huddle.Web.Auth;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Huddle.Web.Audit;

/// <summary>The administrators' audit page: a day's or a patient's records, filtered, paged back, as CSV; a patient's access report.</summary>
public sealed partial class AuditPage
{
    private string? _patientId;
    private DateTime? _day = DateTime.UtcNow.Date;
    private string? _userId;
    private AuditOutcome? _outcome;
    private bool _hideAuditReads = true;
    private List<AuditRecord>? _records;
    private long? _before;
    private PatientAccessReport? _report;
    private System.Collections.Immutable.ImmutableArray<EmergencyAccessEntry> _emergency = [];
    private HuddleError? _error;
    private readonly Dictionary<string, string?> _names = new(StringComparer.Ordinal);

    [Inject]
    private AuditService Audit { get; set; } = default!;

    [Inject]
    private IGrainFactory Grains { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthState { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "patientId")]
    public string? PatientQuery { get; set; }

    protected override async Task OnInitializedAsync()
    {
        _patientId = PatientQuery;
        await SearchAsync();
    }

    private AuditQuery Query(long? before) => new(
        string.IsNullOrWhiteSpace(_patientId) ? null : _patientId.Trim(),
        _day is { } day ? DateOnly.FromDateTime(day) : null,
        string.IsNullOrWhiteSpace(_userId) ? null : _userId.Trim(),
        _outcome,
        before,
        200,
        HideAuditReads: _hideAuditReads);

    private string CsvHref
    {
        get
        {
            var q = Query(null);
            var parts = new List<string>();
            if (q.PatientId is { } p)
            {
                parts.Add($"patientId={Uri.EscapeDataString(p)}");
            }
            else if (q.Day is { } d)
            {
                parts.Add($"day={d:yyyy-MM-dd}");
            }

            if (q.UserId is { } u)
            {
                parts.Add($"userId={Uri.EscapeDataString(u)}");
            }

            if (q.Outcome is { } o)
            {
                parts.Add($"outcome={o.ToString().ToLowerInvariant()}");
            }

            if (q.HideAuditReads)
            {
                parts.Add("hideAuditReads=true");
            }

            return "/admin/audit.csv" + (parts.Count > 0 ? "?" + string.Join('&', parts) : "");
        }
    }

    private async Task SearchAsync()
    {
        var admin = (await AuthState).User.UserIdOf();
        var query = Query(null);
        var read = await Audit.QueryAsync(admin, query);
        (_records, _before, _error) = (read.Value?.Records.ToList(), read.Value?.Before, read.Error);
        _report = null;
        _emergency = read.Error is null ? (await Audit.EmergencyAccessAsync(admin, query.PatientId is null ? query.Day : null, query.PatientId)).Value : [];
        if (read.Error is null && query.PatientId is { } patientId)
        {
            var report = await Audit.PatientAccessAsync(admin, patientId);
            (_report, _error) = (report.Value, report.Error);
        }

        await NamesAsync();
    }

    private async Task OlderAsync()
    {
        var read = await Audit.QueryAsync((await AuthState).User.UserIdOf(), Query(_before));
        if (read.Value is { } more)
        {
            _records?.AddRange(more.Records);
            _before = more.Before;
            await NamesAsync();
        }

        _error = read.Error;
    }

    private async Task ReviewAsync(EmergencyAccessEntry entry, Huddle.Contracts.Patients.EmergencyReviewOutcome outcome)
    {
        var reviewed = await Audit.ReviewEmergencyAsync((await AuthState).User.UserIdOf(), entry.Grant.PatientId, entry.Grant.Number, outcome, null);
        _error = reviewed.Error;
        if (reviewed.Value is { } done)
        {
            _emergency = _emergency.Replace(entry, done);
        }
    }

    private async Task NamesAsync()
    {
        // The records' users and the users a team change names (its ref).
        foreach (var id in (_records ?? []).SelectMany(r => AuditWords.UserIn(r) is { } named ? [r.UserId, named] : new[] { r.UserId }).Distinct(StringComparer.Ordinal).Where(id => !_names.ContainsKey(id)).ToList())
        {
            _names[id] = Ids.IsValid(id) ? (await Grains.Grain<IUserGrain>(id).GetAsync())?.DisplayName : null;
        }
    }

    private string Name(string userId) => _names.GetValueOrDefault(userId) ?? "Unknown user";

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
