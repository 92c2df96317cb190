using System.Collections.Immutable;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Handoffs;
using Huddle.Contracts.Patients;
using Huddle.Contracts.Registry;
using Huddle.Grains.Common;
using Huddle.Grains.Live;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Huddle.Grains.Patients;

/// <summary>
/// A patient: the profile (the source of truth for the patient's care teams, told to each team's panel)
/// and the patient's warm handoffs as their grains tell them, newest version of each kept, so a tell sent
/// again or late changes nothing; and the patient's measurement-based care (PatientGrain.Care.cs).
/// </summary>
public sealed partial class PatientGrain(
    [PersistentState(StorageNames.PatientState, StorageNames.Huddle)] IPersistentState<PatientState> state,
    IGrainHistoryStore history,
    HuddleClock clock,
    IOptions<FeedOptions> feedOptions,
    ILogger<PatientGrain> logger) : Grain, IPatientGrain, IRemindable
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
        // The registry's flags (scores, prompts, safety) are the patient's care record's, not the sync's.
        if (state.State.Care is { } care && RegistryRules.Merge(profile.Flags, care.Flags) is { } merged)
        {
            profile = profile with { Flags = merged };
        }

        state.State.Profile = profile;
        await state.WriteStateAsync();
        // A sync can change the name, the teams and the flags a watcher shows; a team the patient left
        // loses its watchers before anything else goes out.
        var left = before.Except(profile.TeamIds).Any();
        await PublishCareAsync(profile, roster: left && _careFeed is not null ? await RosterOfAsync(profile) : null);

        // The patient is the source of truth for its teams; each team keeps an index (its panel).
        // Every current team is told again (idempotent), so an earlier failed call heals on re-sync.
        foreach (var teamId in profile.TeamIds)
        {
            await GrainFactory.Grain<IPanelGrain>(teamId).AddOrUpdateAsync(profile);
        }

        foreach (var teamId in before.Except(profile.TeamIds))
        {
            await GrainFactory.Grain<IPanelGrain>(teamId).RemoveAsync(profile.PatientId);
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
        var care = state.State.Care;
        state.State.Handoffs = [.. all.Where(h => h.IsOpen || past.Contains(h))];
        // A safety ping owed by a PHQ-9 is settled by its handoff's first telling (PatientGrain.Care.cs).
        if (care is not null && care.Owed.Where(t => t.Kind == CareTellKind.Safety && SafetyHandoffId(t.Key) == handoff.HandoffId).ToList() is [_, ..] settled)
        {
            state.State.Care = care with { Owed = care.Owed.RemoveRange(settled) };
        }

        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            (state.State.Handoffs, state.State.Care) = (before, care);
            throw;
        }
    }

    public async Task<Result<ImmutableArray<HandoffSummary>>> GetHandoffsAsync(string userId)
    {
        if (state.State.Profile is not { } profile)
        {
            return HuddleError.NotFound("Patient", this.GetPrimaryKeyString());
        }

        // A clinician on one of the patient's teams, or with emergency access (audited with its number).
        return await MemberOfAnyAsync(profile, userId, "the patient's handoffs") is { } denied ? denied : state.State.Handoffs;
    }
}
