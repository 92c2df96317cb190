using Huddle.Contracts.CareTeams;

namespace Huddle.Web.Home;

/// <summary>A team as GET /api/me lists it.</summary>
public sealed record MyTeam(string TeamId, string Name, TeamAccess Access);
