using System.Collections.Immutable;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Handoffs;
using Huddle.Contracts.Patients;
using Huddle.Grains.Common;

namespace Huddle.Grains.Patients;

/// <summary>
/// A patient: the profile (the source of truth for the patient's care teams, told to each team's panel)
/// and the patient's warm handoffs as their grains tell them, newest version of each kept, so a tell sent
/// again or late changes nothing.
/// </summary>
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

    public async Task TrackHandoffAsync(HandoffSummary handoff)
    {
        ArgumentNullException.ThrowIfNull(handoff);
        var before = state.State.Handoffs;
        if (state.State.Profile is null || before.FirstOrDefault(h => h.HandoffId == handoff.HandoffId) is { } known && known.Version >= handoff.Version)
        {
            return;
        }

        var all = before.Where(h => h.HandoffId != handoff.HandoffId).Prepend(handoff).OrderByDescending(h => h.RequestedAt).ToList();
        var past = all.Where(h => !h.IsOpen).Take(IPatientGrain.MaxHandoffs).ToHashSet();
        state.State.Handoffs = [.. all.Where(h => h.IsOpen || past.Contains(h))];
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State.Handoffs = before;
            throw;
        }
    }

    public async Task<Result<ImmutableArray<HandoffSummary>>> GetHandoffsAsync(string userId)
    {
        if (state.State.Profile is not { } profile)
        {
            return HuddleError.NotFound("Patient", this.GetPrimaryKeyString());
        }

        foreach (var teamId in profile.TeamIds)
        {
            if (await GrainFactory.GetGrain<ICareTeamGrain>(teamId).GetAccessAsync(userId) == TeamAccess.Member)
            {
                return state.State.Handoffs;
            }
        }

        // Emergency access: a clinician who stated why, for the grant's time (audited with its number).
        if (await GrainFactory.GetGrain<IEmergencyAccessGrain>(this.GetPrimaryKeyString()).ActiveAsync(userId) is not null)
        {
            return state.State.Handoffs;
        }

        return HuddleError.Forbidden("Only clinicians on the patient's care teams can read the patient's handoffs.");
    }
}
