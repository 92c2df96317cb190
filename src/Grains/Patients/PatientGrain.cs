using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Patients;
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

        var before = state.State.Profile?.TeamIds ?? [];
        state.State.Profile = profile;
        await state.WriteStateAsync();

        // The patient is the source of truth for its teams; each team keeps an index (its panel).
        // Every current team is told again (idempotent), so an earlier failed call heals on re-sync.
        foreach (var teamId in profile.TeamIds)
        {
            await GrainFactory.GetGrain<IPanelGrain>(teamId).AddOrUpdateAsync(profile);
        }

        foreach (var teamId in before.Except(profile.TeamIds))
        {
            await GrainFactory.GetGrain<IPanelGrain>(teamId).RemoveAsync(profile.PatientId);
        }
    }
}
