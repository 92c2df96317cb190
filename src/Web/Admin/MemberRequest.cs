using Huddle.Contracts.CareTeams;

namespace Huddle.Web.Admin;

/// <summary>Body of PUT /api/admin/teams/{teamId}/members/{userId}: the clinician's role on the team.</summary>
public sealed record MemberRequest(CareTeamRole? Role);
