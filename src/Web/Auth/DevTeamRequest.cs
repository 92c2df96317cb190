using System.Collections.Immutable;
using Huddle.Contracts.CareTeams;

namespace Huddle.Web.Auth;

/// <summary>Body of PUT /api/dev/teams/{teamId}: a team, its roster, displays and patients in one call.</summary>
public sealed record DevTeamRequest(
    string Name,
    ImmutableArray<TeamMember> Members,
    ImmutableArray<string>? DisplayIds = null,
    ImmutableArray<DevPatient>? Patients = null,
    string? TimeZoneId = null);
