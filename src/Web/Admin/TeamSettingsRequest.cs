using Huddle.Contracts.CareTeams;

namespace Huddle.Web.Admin;

/// <summary>Body of PUT /api/admin/teams/{teamId}: what to set (absent: kept; a new team needs a name).</summary>
public sealed record TeamSettingsRequest(string? Name = null, string? TimeZoneId = null, CareTeamStatus? Status = null);
