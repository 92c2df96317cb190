using Huddle.Contracts.Patients;

namespace Huddle.Web.Chat;

/// <summary>
/// How chat names a patient's thread, on the thread list and the thread's page alike: by the patient's
/// initials (a phone in a corridor shows it), and only to a clinician on one of the patient's teams; to
/// anyone else it is just a patient thread.
/// </summary>
public static class PatientNaming
{
    /// <summary>The patient's initials when one of <paramref name="patient"/>'s teams is the clinician's (<paramref name="isMyTeam"/>), else null.</summary>
    public static string? InitialsFor(PatientProfile? patient, Func<string, bool> isMyTeam)
    {
        ArgumentNullException.ThrowIfNull(isMyTeam);
        return patient is not null && patient.TeamIds.Any(isMyTeam) ? patient.Initials : null;
    }
}
