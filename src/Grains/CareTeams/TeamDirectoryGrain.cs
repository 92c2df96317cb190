using System.Collections.Immutable;
using Huddle.Contracts.CareTeams;
using Huddle.Grains.Common;
using Microsoft.Extensions.Logging;

namespace Huddle.Grains.CareTeams;

[GenerateSerializer, Alias("huddle.team-directory-state")]
public sealed class TeamDirectoryState
{
    /// <summary>At most <see cref="ITeamDirectoryGrain.MaxTeams"/> teams.</summary>
    [Id(0)]
    public ImmutableDictionary<string, TeamListing> Teams { get; set; } = ImmutableDictionary<string, TeamListing>.Empty;
}

/// <summary>
/// The directory of teams (<see cref="ITeamDirectoryGrain"/>). One row of at most 2,000 short listings
/// (about 100 bytes each), written only when a team's name, status or roster size changes: an
/// administrator's pace, never a clinician's.
/// </summary>
public sealed partial class TeamDirectoryGrain(
    [PersistentState(StorageNames.TeamDirectoryState, StorageNames.Huddle)] IPersistentState<TeamDirectoryState> state,
    ILogger<TeamDirectoryGrain> logger) : Grain, ITeamDirectoryGrain
{
    public async Task TeamChangedAsync(TeamListing team)
    {
        ArgumentNullException.ThrowIfNull(team);
        var teams = state.State.Teams;
        if (teams.TryGetValue(team.TeamId, out var known) && known == team)
        {
            return;
        }

        if (known is null && teams.Count >= ITeamDirectoryGrain.MaxTeams)
        {
            // Administrators cannot create more (the team's grain asks first); a seeded one is not listed.
            LogFull(ITeamDirectoryGrain.MaxTeams);
            return;
        }

        state.State.Teams = teams.SetItem(team.TeamId, team);
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State.Teams = teams;
            throw;
        }
    }

    public Task<ImmutableArray<TeamListing>> ListAsync() =>
        Task.FromResult(state.State.Teams.Values.OrderBy(t => t.Name, StringComparer.CurrentCultureIgnoreCase).ThenBy(t => t.TeamId, StringComparer.Ordinal).ToImmutableArray());

    public Task<int> CountAsync() => Task.FromResult(state.State.Teams.Count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The directory of teams is full ({Max}): a team was not listed")]
    private partial void LogFull(int max);
}
