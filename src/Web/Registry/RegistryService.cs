using Huddle.Contracts.Boards;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Patients;
using Huddle.Contracts.Registry;
using Huddle.Web.Http;
using Huddle.Web.Live;

namespace Huddle.Web.Registry;

/// <summary>
/// The one door from web code (HTTP, pages, the FHIR export) to measurement-based care: it rejects
/// malformed ids before they become grain keys, and turns an unreachable grain or unconfirmed write into
/// the documented <c>unavailable</c>. The grains check who may read and write.
/// </summary>
public sealed partial class RegistryService(IGrainFactory grains, FeedRelay relay, ILogger<RegistryService> logger)
{
    /// <summary>Applies <paramref name="command"/> to the patient's care as <paramref name="userId"/>.</summary>
    public Task<Result<PatientCare>> CareAsync(string userId, string patientId, CareCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return PatientAsync(patientId, command.Op, p => p.CareAsync(userId, command));
    }

    /// <summary>The patient's measurement-based care as of the team's today.</summary>
    public Task<Result<PatientCare>> ReadCareAsync(string userId, string patientId) =>
        PatientAsync(patientId, "readCare", p => p.GetCareAsync(userId));

    /// <summary>A page of the patient's measurements, newest first.</summary>
    public Task<Result<MeasurementPage>> MeasurementsAsync(string userId, string patientId, long? before, int limit) =>
        PatientAsync(patientId, "measurements", p => p.GetMeasurementsAsync(userId, before, limit));

    /// <summary>The patient's care feed as <paramref name="userId"/> reads it, for a component's live copy on this host.</summary>
    public FeedSource<PatientCareView, PatientCareChange> CareSourceOf(string userId, string patientId) => new(relay, PatientCareRoute.FeedOf(patientId), userId);

    /// <summary>The team's registry as <paramref name="userId"/> reads it, for a component's live copy on this host.</summary>
    public FeedSource<RegistryView, RegistryChange> SourceOf(string userId, string teamId) => new(relay, RegistryRoute.FeedOf(teamId), userId);

    /// <summary>The team's registry as of its today.</summary>
    public Task<Result<RegistryView>> RegistryAsync(string userId, string teamId) =>
        CallAsync(teamId, "A team id", "registry", () => grains.Grain<IRegistryGrain>(teamId).GetAsync(userId));

    /// <summary>
    /// The team's Collaborative Care figures as of its today (<see cref="RegistryMetrics"/>), with the ED
    /// visits and admissions flagged on today's board: members only (the registry's and the board's reads
    /// both check).
    /// </summary>
    public async Task<Result<RegistryMetricsReport>> MetricsAsync(string userId, string teamId, int months = RegistryMetrics.BillingMonths)
    {
        if (months is < 1 or > RegistryMetrics.BillingMonths)
        {
            return HuddleError.Invalid($"The period is 1 to {RegistryMetrics.BillingMonths} months.");
        }

        // The discharged episodes too: outcomes are intention to treat, and past months' minutes were billed.
        var view = await CallAsync(teamId, "A team id", "registryEpisodes", () => grains.Grain<IRegistryGrain>(teamId).EpisodesAsync(userId));
        if (view.Error is { } error)
        {
            return error;
        }

        var board = await CallAsync(teamId, "A team id", "metricsBoard", () => grains.Grain<ICareTeamGrain>(teamId).GetBoardAsync(userId));
        if (board.Error is { } failed)
        {
            return failed;
        }

        var flags = board.Value!.Board.Cards.SelectMany(c => c.Flags).ToList();
        return RegistryMetrics.Compute([.. view.Value!.Rows.Select(r => r.Entry)], view.Value.Today, months,
            edVisitsFlagged: flags.Count(f => f.Kind == FlagKind.RecentEdVisit), admissionsFlagged: flags.Count(f => f.Kind == FlagKind.RecentAdmission));
    }

    private Task<Result<T>> PatientAsync<T>(string patientId, string op, Func<IPatientGrain, Task<Result<T>>> call) =>
        CallAsync(patientId, "A patient id", op, () => call(grains.Grain<IPatientGrain>(patientId)));

    private async Task<Result<T>> CallAsync<T>(string key, string what, string op, Func<Task<Result<T>>> call)
    {
        if (!Ids.IsValid(key))
        {
            return HuddleError.InvalidId(what);
        }

        try
        {
            return await call();
        }
        catch (Exception ex) when (Failures.IsUnavailable(ex))
        {
            LogUnavailable(ex, key, op);
            return Failures.Unavailable;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Registry {Key} {Op} could not reach its grain or storage")]
    private partial void LogUnavailable(Exception ex, string key, string op);
}
