using Huddle.Contracts.Common;
using Huddle.Contracts.Live;

namespace Huddle.Contracts.Registry;

/// <summary>
/// A team's Collaborative Care registry (key: the team id): a projection of its enrolled patients'
/// entries, told by each patient's grain (the truth) after every change, at least once. Its rows are
/// kept in shards (history pages), so a patient's change rewrites about 1/64 of the registry. Owner of
/// the feed <c>registry:{teamId}</c> for the team's clinicians: each stored change is published as a
/// <see cref="RegistryChange"/> and the snapshot is the <see cref="RegistryView"/>. Its seq is not
/// stored: a new activation is a new epoch, and a reader from an earlier one re-reads.
/// </summary>
public interface IRegistryGrain : IFeedGrain
{
    /// <summary>The feed kind of a team's registry.</summary>
    const string Feed = "registry";

    /// <summary>
    /// Takes a patient's entry: listed while its enrolment in this team is active; once discharged, kept out
    /// of the list for the metrics only (<see cref="EpisodesAsync"/>), for <see cref="RegistryLimits.DischargedKeptMonths"/>
    /// months. An entry no newer than the one held changes nothing (tells are repeated after failures).
    /// </summary>
    Task TrackAsync(RegistryEntry entry);

    /// <summary>The registry as of the team's today, who needs attention first, for members of the team: the enrolled patients.</summary>
    [AlwaysInterleave]
    Task<Result<RegistryView>> GetAsync(string userId);

    /// <summary>
    /// What the registry's metrics count, for members of the team: the enrolled patients and the episodes
    /// discharged in the last <see cref="RegistryLimits.DischargedKeptMonths"/> months (the latest of each
    /// patient), as rows of the team's today. Outcomes are intention to treat: a discharged patient counts.
    /// </summary>
    [AlwaysInterleave]
    Task<Result<RegistryView>> EpisodesAsync(string userId);
}
