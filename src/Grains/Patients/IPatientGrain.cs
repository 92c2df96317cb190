namespace Huddle.Grains.Patients;

/// <summary>One grain per patient, keyed by an opaque patient id (never an MRN or a name).</summary>
public interface IPatientGrain : IGrainWithStringKey
{
    /// <summary>The profile, or null when the patient is unknown.</summary>
    Task<PatientProfile?> GetAsync();

    /// <summary>Creates or replaces the profile (EHR sync, demo seeding).</summary>
    Task SetAsync(PatientProfile profile);
}
