using System.Collections.Immutable;

namespace Huddle.Contracts.CareTeams;

/// <summary>A member's role on a care team (FHIR <c>CareTeam.participant.role</c>); a clinician may hold roles on several teams.</summary>
public enum CareTeamRole
{
    Pcp,
    Bhc,
    CareManager,
    ConsultingPsychiatrist,
    Nurse,
    MedicalAssistant,
    SocialWorker,
    Pharmacist,
    FrontDesk,
}

/// <summary>FHIR CareTeam.status.</summary>
public enum CareTeamStatus
{
    Proposed,
    Active,
    Suspended,
    Inactive,
}

/// <summary>What a caller may do with a team's board.</summary>
public enum TeamAccess
{
    /// <summary>Not a member: nothing.</summary>
    None,

    /// <summary>The team-room display: reads the privacy-filtered board, changes nothing.</summary>
    Display,

    /// <summary>A clinician on the roster: reads and changes the board.</summary>
    Member,
}

/// <summary>A clinician on a team's roster.</summary>
[GenerateSerializer, Immutable, Alias("huddle.team-member")]
public sealed record TeamMember(
    [property: Id(0)] string UserId,
    [property: Id(1)] string DisplayName,
    [property: Id(2)] CareTeamRole Role);

/// <summary>A team's identity and roster. Room displays are listed apart: they read, never write.</summary>
[GenerateSerializer, Immutable, Alias("huddle.team-profile")]
public sealed record CareTeamProfile(
    [property: Id(0)] string TeamId,
    [property: Id(1)] string Name,
    [property: Id(2)] CareTeamStatus Status,
    [property: Id(3)] ImmutableArray<TeamMember> Members,
    [property: Id(4)] ImmutableArray<string> DisplayIds,
    [property: Id(5)] string TimeZoneId)
{
    /// <summary>What <paramref name="userId"/> may do on this team.</summary>
    public TeamAccess AccessFor(string userId)
    {
        foreach (var member in Members)
        {
            if (member.UserId == userId)
            {
                return TeamAccess.Member;
            }
        }

        return DisplayIds.Contains(userId) ? TeamAccess.Display : TeamAccess.None;
    }

    /// <summary>The team's calendar day at <paramref name="instant"/>, in the team's time zone (UTC if unknown).</summary>
    public DateOnly DayAt(DateTimeOffset instant)
    {
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(TimeZoneId, out var tz) ? tz : TimeZoneInfo.Utc;
        return DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, zone).DateTime);
    }

    /// <summary>True when <paramref name="userId"/> is a clinician on the roster.</summary>
    public bool IsMember(string userId) => AccessFor(userId) == TeamAccess.Member;
}
