using Huddle.Contracts.Common;
using Huddle.Contracts.Patients;
using Huddle.Contracts.Registry;
using Huddle.Web.Http;

namespace Huddle.Web.Registry;

/// <summary>
/// The one door from web code (HTTP, pages, the FHIR export) to measurement-based care: it rejects
/// malformed ids before they become grain keys, and turns an unreachable grain or unconfirmed write into
/// the documented <c>unavailable</c>. The grains check who may read and write.
/// </summary>
public sealed partial class RegistryService(IGrainFactory grains, ILogger<RegistryService> logger)
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

    /// <summary>The team's registry as of its today.</summary>
    public Task<Result<RegistryView>> RegistryAsync(string userId, string teamId) =>
        CallAsync(teamId, "A team id", "registry", () => grains.GetGrain<IRegistryGrain>(teamId).GetAsync(userId));

    private Task<Result<T>> PatientAsync<T>(string patientId, string op, Func<IPatientGrain, Task<Result<T>>> call) =>
        CallAsync(patientId, "A patient id", op, () => call(grains.GetGrain<IPatientGrain>(patientId)));

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
