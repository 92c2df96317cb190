using System.Collections.Immutable;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Patients;
using Huddle.Grains.Common;

namespace Huddle.Grains.CareTeams;

/// <summary>A team's panel as stored: entries sorted by name, then id.</summary>
[GenerateSerializer, Alias("huddle.panel-state")]
public sealed class PanelState
{
    [Id(0)]
    public ImmutableArray<PatientProfile> Patients { get; set; } = [];
}

public sealed class PanelGrain(
    [PersistentState(StorageNames.PanelState, StorageNames.Huddle)] IPersistentState<PanelState> state) : Grain, IPanelGrain
{
    private static readonly IComparer<PatientProfile> ByName = Comparer<PatientProfile>.Create((a, b) =>
    {
        var byName = StringComparer.CurrentCultureIgnoreCase.Compare(a.DisplayName, b.DisplayName);
        return byName != 0 ? byName : StringComparer.Ordinal.Compare(a.PatientId, b.PatientId);
    });

    public async Task AddOrUpdateAsync(PatientProfile patient)
    {
        ArgumentNullException.ThrowIfNull(patient);
        var entry = patient;
        var before = state.State.Patients;
        var without = before.RemoveAll(p => p.PatientId == entry.PatientId);
        if (without.Length == before.Length && before.Length >= PanelPage.MaxPatients)
        {
            throw new InvalidOperationException($"A panel holds at most {PanelPage.MaxPatients} patients.");
        }

        var index = without.BinarySearch(entry, ByName);
        var after = without.Insert(index < 0 ? ~index : index, entry);
        if (!after.SequenceEqual(before))
        {
            state.State.Patients = after;
            await WriteAsync(before);
        }
    }

    public async Task RemoveAsync(string patientId)
    {
        var before = state.State.Patients;
        var after = before.RemoveAll(p => p.PatientId == patientId);
        if (after.Length != before.Length)
        {
            state.State.Patients = after;
            await WriteAsync(before);
        }
    }

    public async Task<Result<PanelPage>> GetPageAsync(string userId, string? query, int offset, int limit)
    {
        var teamId = this.GetPrimaryKeyString();
        switch (await GrainFactory.GetGrain<ICareTeamGrain>(teamId).GetAccessAsync(userId))
        {
            case TeamAccess.Member:
                break;
            case TeamAccess.Display:
                return HuddleError.Forbidden("Only clinicians on the care team can read its patients.");
            default:
                // Unknown team and outsider alike: the team grain alone can tell them apart.
                return await GrainFactory.GetGrain<ICareTeamGrain>(teamId).GetProfileAsync() is null
                    ? HuddleError.NotFound("Team", teamId)
                    : HuddleError.Forbidden("Only members of the care team can read its patients.");
        }

        if (offset < 0 || limit is < 1 or > PanelPage.MaxLimit)
        {
            return HuddleError.Invalid($"Ask for 1 to {PanelPage.MaxLimit} patients from an offset of 0 or more.");
        }

        var matches = string.IsNullOrWhiteSpace(query)
            ? state.State.Patients
            : [.. state.State.Patients.Where(p => Contains(p.DisplayName, query) || Contains(p.Room, query))];
        return new PanelPage([.. matches.Skip(offset).Take(limit)], matches.Length, offset);
    }

    private static bool Contains(string? text, string query) =>
        text is not null && text.Contains(query.Trim(), StringComparison.CurrentCultureIgnoreCase);

    private async Task WriteAsync(ImmutableArray<PatientProfile> before)
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // Memory never runs ahead of storage: the patient's grain retries on its next sync.
            state.State.Patients = before;
            DeactivateOnIdle();
            throw;
        }
    }
}
