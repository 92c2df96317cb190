using System.Collections.Immutable;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Patients;
using Huddle.Web.Http;

namespace Huddle.Web.Emergency;

/// <summary>
/// Emergency access from the web host (docs/security.md, "Emergency access"): a clinician breaks the
/// glass on a patient with a reason; the page then reads the patient as the grant allows. Every grain
/// call here that reads patient data takes the clinician's id, so the silo audits it.
/// </summary>
public sealed class EmergencyAccessService(IGrainFactory grains)
{
    private static readonly HuddleError InvalidPatient = HuddleError.InvalidId("A patient id");

    /// <summary>Breaks the glass on <paramref name="patientId"/> for <paramref name="userId"/>, stating <paramref name="reason"/>.</summary>
    public async Task<Result<EmergencyGrant>> GrantAsync(string userId, string patientId, string? reason)
    {
        if (!Ids.IsValid(patientId))
        {
            return InvalidPatient;
        }

        try
        {
            return await grains.Grain<IEmergencyAccessGrain>(patientId).GrantAsync(userId, reason ?? "");
        }
        catch (Exception ex) when (Failures.IsUnavailable(ex))
        {
            return Failures.Unavailable;
        }
    }

    /// <summary><paramref name="userId"/>'s grant on <paramref name="patientId"/> in force now, or null.</summary>
    public async Task<EmergencyGrant?> ActiveAsync(string userId, string patientId) =>
        Ids.IsValid(patientId) ? await grains.Grain<IEmergencyAccessGrain>(patientId).ActiveAsync(userId) : null;

    /// <summary>
    /// What the emergency page shows of the patient for a clinician whose grant is in force: the profile
    /// and care teams (to name the thread's clinicians) and the handoffs, which the patient's grain
    /// checks against the grant and audits.
    /// </summary>
    public async Task<Result<EmergencyView>> ViewAsync(string userId, string patientId)
    {
        if (!Ids.IsValid(patientId))
        {
            return InvalidPatient;
        }

        try
        {
            var handoffs = await grains.Grain<IPatientGrain>(patientId).GetHandoffsAsync(userId);
            if (handoffs.Error is { } error)
            {
                return error;
            }

            if (await grains.Grain<IPatientGrain>(patientId).GetAsync() is not { } patient)
            {
                return HuddleError.NotFound("Patient", patientId);
            }

            var teams = await Task.WhenAll(patient.TeamIds.Select(t => grains.Grain<ICareTeamGrain>(t).GetProfileAsync()));
            return new EmergencyView(patient, [.. teams.OfType<CareTeamProfile>()], handoffs.Value);
        }
        catch (Exception ex) when (Failures.IsUnavailable(ex))
        {
            return Failures.Unavailable;
        }
    }
}
