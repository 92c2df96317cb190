namespace Huddle.Contracts.CareTeams;

/// <summary>What an administrator changes on a team (<see cref="ICareTeamGrain.AdministerAsync"/>).</summary>
public enum TeamAdminOp
{
    /// <summary>Creates the team, or changes its name, time zone or status (<see cref="TeamAdminCommand.Name"/>, <see cref="TeamAdminCommand.TimeZoneId"/>, <see cref="TeamAdminCommand.Status"/>).</summary>
    Settings,

    /// <summary>Puts a clinician on the roster, or changes their role there (<see cref="TeamAdminCommand.UserId"/>, <see cref="TeamAdminCommand.Role"/>).</summary>
    SetMember,

    /// <summary>Takes a clinician off the roster.</summary>
    RemoveMember,

    /// <summary>Adds a room display (a user of kind room display).</summary>
    AddDisplay,

    /// <summary>Removes a room display.</summary>
    RemoveDisplay,
}

/// <summary>
/// One administrator's change to a team. <see cref="TeamAdminOp.Settings"/> of a team that does not exist creates
/// it (name and time zone required); every other op needs the team to exist.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.team-admin-command")]
public sealed record TeamAdminCommand(
    [property: Id(0)] TeamAdminOp Op,
    [property: Id(1)] string? UserId = null,
    [property: Id(2)] CareTeamRole? Role = null,
    [property: Id(3)] string? Name = null,
    [property: Id(4)] string? TimeZoneId = null,
    [property: Id(5)] CareTeamStatus? Status = null)
{
    /// <summary>The most clinicians one roster holds: the team's row and every roster tell stay bounded.</summary>
    public const int MaxMembers = 300;

    /// <summary>The most room displays one team has.</summary>
    public const int MaxDisplays = 20;

    /// <summary>The longest team name.</summary>
    public const int MaxNameLength = 80;
}
