using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Users;

namespace Huddle.Web.Home;

/// <summary>GET /api/me: who is signed in and the teams they may open.</summary>
public sealed record Me(string UserId, string DisplayName, UserKind Kind, CareTeamRole? Role, IReadOnlyList<MyTeam> Teams);
