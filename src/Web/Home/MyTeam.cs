using Huddle.Contracts.CareTeams;

namespace Huddle.Web.Home;

/// <summary>A team as GET /api/me lists it: the caller's access, and their role on it (null for a room display).</summary>
public sealed record MyTeam(string TeamId, string Name, TeamAccess Access, CareTeamRole? Role);
