using System.Collections.Immutable;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Patients;
using Huddle.Grains.Common;

namespace Huddle.Grains.CareTeams;

/// <summary>
/// A team's panel (key: the team id). Its patients are stored in <see cref="PanelShard.Count"/> shards
/// (history pages, stream <c>panel</c>, by a hash of the patient id), never in one row: a patient's
/// update rewrites the one shard that holds them (about 80 of a full panel of 5,000), not the panel.
/// The activation reads every shard once and keeps the panel in memory, sorted by name, for the page reads.
/// </summary>
public sealed class PanelGrain(
    [PersistentState(StorageNames.PanelState, StorageNames.Huddle)] IPersistentState<PanelState> state,
    IGrainHistoryStore history) : Grain, IPanelGrain
{
    /// <summary>The history stream of the panel's shards.</summary>
    public const string ShardsStream = "panel";

    private static readonly IComparer<PatientProfile> ByName = Comparer<PatientProfile>.Create((a, b) =>
    {
        var byName = StringComparer.CurrentCultureIgnoreCase.Compare(a.DisplayName, b.DisplayName);
        return byName != 0 ? byName : StringComparer.Ordinal.Compare(a.PatientId, b.PatientId);
    });

    private readonly PanelShard[] _shards = [.. Enumerable.Repeat(PanelShard.Empty, PanelShard.Count)];

    /// <summary>Every patient, sorted by name then id; replaced whole after each stored change (page reads interleave).</summary>
    private ImmutableArray<PatientProfile> _sorted = [];

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await foreach (var page in history.ReadPagesAsync<PanelShard>(this.GetGrainId(), ShardsStream, 0, PanelShard.Count - 1, cancellationToken))
        {
            _shards[page.Number] = page.Content;
        }

        if (!state.State.Patients.IsEmpty)
        {
            // A panel stored as one row: its patients move to their shards (written before the row
            // forgets them, so a failure in between loses nothing and the next activation repeats it).
            foreach (var shard in state.State.Patients.GroupBy(p => PanelShard.Of(p.PatientId)))
            {
                var merged = shard.Aggregate(_shards[shard.Key], (s, p) => With(s, p));
                await history.WritePageAsync(this.GetGrainId(), ShardsStream, shard.Key, merged, cancellationToken);
                _shards[shard.Key] = merged;
            }

            state.State.Patients = [];
            await state.WriteStateAsync();
        }

        _sorted = [.. _shards.SelectMany(s => s.Patients).Order(ByName)];
        await base.OnActivateAsync(cancellationToken);
    }

    public async Task AddOrUpdateAsync(PatientProfile patient)
    {
        ArgumentNullException.ThrowIfNull(patient);
        var index = PanelShard.Of(patient.PatientId);
        var before = _shards[index];
        var held = before.Patients.FirstOrDefault(p => p.PatientId == patient.PatientId);
        if (held == patient)
        {
            return;
        }

        if (held is null && _sorted.Length >= PanelPage.MaxPatients)
        {
            throw new InvalidOperationException($"A panel holds at most {PanelPage.MaxPatients} patients.");
        }

        await WriteAsync(index, With(before, patient));
    }

    public async Task RemoveAsync(string patientId)
    {
        var index = PanelShard.Of(patientId);
        var before = _shards[index];
        if (before.Patients.Any(p => p.PatientId == patientId))
        {
            await WriteAsync(index, new PanelShard(before.Patients.RemoveAll(p => p.PatientId == patientId)));
        }
    }

    public async Task<Result<PanelPage>> GetPageAsync(string userId, string? query, int offset, int limit)
    {
        var teamId = this.GetPrimaryKeyString();
        switch (await GrainFactory.Grain<ICareTeamGrain>(teamId).GetAccessAsync(userId))
        {
            case TeamAccess.Member:
                break;
            case TeamAccess.Display:
                return HuddleError.Forbidden("Only clinicians on the care team can read its patients.");
            default:
                // Unknown team and outsider alike: the team grain alone can tell them apart.
                return await GrainFactory.Grain<ICareTeamGrain>(teamId).GetProfileAsync() is null
                    ? HuddleError.NotFound("Team", teamId)
                    : HuddleError.Forbidden("Only members of the care team can read its patients.");
        }

        if (offset < 0 || limit is < 1 or > PanelPage.MaxLimit)
        {
            return HuddleError.Invalid($"Ask for 1 to {PanelPage.MaxLimit} patients from an offset of 0 or more.");
        }

        var all = _sorted;
        var matches = string.IsNullOrWhiteSpace(query)
            ? all
            : [.. all.Where(p => Contains(p.DisplayName, query) || Contains(p.Room, query))];
        return new PanelPage([.. matches.Skip(offset).Take(limit)], matches.Length, offset);
    }

    private static PanelShard With(PanelShard shard, PatientProfile patient) =>
        new([.. shard.Patients.Where(p => p.PatientId != patient.PatientId).Append(patient)]);

    private static bool Contains(string? text, string query) =>
        text is not null && text.Contains(query.Trim(), StringComparison.CurrentCultureIgnoreCase);

    /// <summary>
    /// Stores shard <paramref name="index"/> as <paramref name="shard"/>, then shows it. A failed write
    /// changes nothing in memory: the patient's grain retries on its next sync.
    /// </summary>
    private async Task WriteAsync(int index, PanelShard shard)
    {
        await history.WritePageAsync(this.GetGrainId(), ShardsStream, index, shard);
        var before = _shards[index];
        _shards[index] = shard;
        var gone = before.Patients.Except(shard.Patients).ToHashSet();
        var sorted = _sorted.RemoveAll(gone.Contains);
        foreach (var patient in shard.Patients.Except(before.Patients))
        {
            var at = sorted.BinarySearch(patient, ByName);
            sorted = sorted.Insert(at < 0 ? ~at : at, patient);
        }

        _sorted = sorted;
    }
}
