using System.Collections.Immutable;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Users;

namespace Huddle.Web.Admin;

/// <summary>
/// Administrators' management of teams and users, for the API and the pages alike. Every change goes
/// to the grain that owns it, which checks the administrator at that call (and the silo audits it);
/// the web host's administrator policy is the first gate, not the only one.
/// </summary>
public sealed class TeamAdminService(IGrainFactory grains)
{
    /// <summary>Every team of the deployment, by name.</summary>
    public async Task<ImmutableArray<TeamListing>> TeamsAsync() =>
        await grains.Grain<ITeamDirectoryGrain>(ITeamDirectoryGrain.Key).ListAsync();

    /// <summary>
    /// The clinicians on any of the deployment's teams, by name, each with the teams they are on: whom an
    /// administrator adds to a team by name. Read from the rosters (the directory's teams, each one read):
    /// a user on no team is not here and is added by their user id. At most
    /// <see cref="ITeamDirectoryGrain.MaxTeams"/> reads of at most 300 members each, asked for when the
    /// administrator first searches.
    /// </summary>
    public async Task<ImmutableArray<ClinicianListing>> CliniciansAsync()
    {
        var teams = await TeamsAsync();
        var profiles = await Task.WhenAll(teams.Select(t => grains.Grain<ICareTeamGrain>(t.TeamId).GetProfileAsync()));
        return [.. profiles.OfType<CareTeamProfile>()
            .SelectMany(team => team.Members.Select(member => (member, team.Name)))
            .GroupBy(m => m.member.UserId, StringComparer.Ordinal)
            .Select(g => new ClinicianListing(g.Key, g.First().member.DisplayName, [.. g.Select(m => m.Name).Order(StringComparer.CurrentCulture)]))
            .OrderBy(c => c.DisplayName, StringComparer.CurrentCulture)];
    }

    /// <summary>A team's profile and roster.</summary>
    public async Task<Result<CareTeamProfile>> TeamAsync(string teamId) =>
        !Ids.IsValid(teamId) ? HuddleError.InvalidId("A team id")
        : await grains.Grain<ICareTeamGrain>(teamId).GetProfileAsync() is { } profile ? profile
        : HuddleError.NotFound("Team", teamId);

    /// <summary>Applies <paramref name="command"/> to team <paramref name="teamId"/> on behalf of administrator <paramref name="adminId"/>.</summary>
    public Task<Result<CareTeamProfile>> AdministerAsync(string adminId, string teamId, TeamAdminCommand command) =>
        !Ids.IsValid(teamId) ? Task.FromResult<Result<CareTeamProfile>>(HuddleError.InvalidId("A team id"))
        : command.UserId is { } user && !Ids.IsValid(user) ? Task.FromResult<Result<CareTeamProfile>>(HuddleError.InvalidId("A user id"))
        : grains.Grain<ICareTeamGrain>(teamId).AdministerAsync(adminId, command);

    /// <summary>A user's profile (their kind and teams).</summary>
    public async Task<Result<UserProfile>> UserAsync(string userId) =>
        !Ids.IsValid(userId) ? HuddleError.InvalidId("A user id")
        : await grains.Grain<IUserGrain>(userId).GetAsync() is { } user ? user
        : HuddleError.NotFound("User", userId);

    /// <summary>Creates or changes user <paramref name="userId"/> on behalf of administrator <paramref name="adminId"/>.</summary>
    public Task<Result<UserProfile>> SaveUserAsync(string adminId, string userId, UserAdminCommand command) =>
        !Ids.IsValid(userId) ? Task.FromResult<Result<UserProfile>>(HuddleError.InvalidId("A user id"))
        : grains.Grain<IUserGrain>(userId).AdministerAsync(adminId, command);
}
