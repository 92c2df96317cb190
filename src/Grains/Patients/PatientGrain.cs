using Huddle.Grains.Common;

namespace Huddle.Grains.Patients;

[GenerateSerializer, Alias("huddle.patient-state")]
public sealed class PatientState
{
    [Id(0)]
    public PatientProfile? Profile { get; set; }
}

public sealed class PatientGrain(
    [PersistentState(StorageNames.PatientState, StorageNames.Huddle)] IPersistentState<PatientState> state) : Grain, IPatientGrain
{
    public Task<PatientProfile?> GetAsync() => Task.FromResult(state.State.Profile);

    public async Task SetAsync(PatientProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        if (profile.PatientId != this.GetPrimaryKeyString())
        {
            throw new ArgumentException("The profile's id must match the grain's key.", nameof(profile));
        }

        state.State.Profile = profile;
        await state.WriteStateAsync();
    }
}
