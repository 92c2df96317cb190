using System.Collections.Immutable;
using Huddle.Contracts.CareTeams;

namespace Huddle.Contracts.Users;

/// <summary>A person signing in, or a shared team-room screen signed in as a device.</summary>
public enum UserKind
{
    Clinician,
    RoomDisplay,

    /// <summary>Administers Huddle (the audit trail; later teams and members): sees no board, patient or chat of its own.</summary>
    Administrator,
}

/// <summary>Who a user is and which teams they belong to (GET /api/me).</summary>
[GenerateSerializer, Immutable, Alias("huddle.user-profile")]
public sealed record UserProfile(
    [property: Id(0)] string UserId,
    [property: Id(1)] string DisplayName,
    [property: Id(2)] UserKind Kind,
    [property: Id(3)] CareTeamRole? Role,
    [property: Id(4)] ImmutableArray<string> TeamIds);
