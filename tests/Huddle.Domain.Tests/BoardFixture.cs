using Huddle.Contracts.Common;
using System.Collections.Immutable;
using Huddle.Contracts.Boards;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Patients;
using Huddle.Grains.CareTeams.Board;

namespace Huddle.Domain.Tests;

/// <summary>A small team, a patient on its panel, and helpers to apply commands as a member.</summary>
internal static class BoardFixture
{
    public const string TeamId = "team-t";
    public const string Pcp = "u-pcp";
    public const string Bhc = "u-bhc";
    public const string Display = "d-room";
    public const string Outsider = "u-outsider";
    public static readonly DateOnly Today = new(2026, 11, 24);
    public static readonly DateTimeOffset Now = new(2026, 11, 24, 14, 0, 0, TimeSpan.Zero);

    public static readonly CareTeamProfile Team = new(
        TeamId, "Test team", CareTeamStatus.Active,
        [new TeamMember(Pcp, "Dr. P", CareTeamRole.Pcp), new TeamMember(Bhc, "B. H.", CareTeamRole.Bhc)],
        [Display], "UTC");

    public static PatientProfile Patient(string id = "p-1", params string[] teams) =>
        new(id, "Rosa Delgado", "R.D.", "Exam 3", [new CardFlag(FlagKind.Phq9, "18 ↑")], teams.Length == 0 ? [TeamId] : [.. teams]);

    public static HuddleBoard NewBoard() => HuddleBoard.Create(TeamId, Today);

    public static Result<HuddleBoard> Run(HuddleBoard board, BoardCommand command, string actor = Pcp, PatientProfile? patient = null) =>
        BoardRules.Apply(board, command, new BoardContext(actor, Now, Team, patient));

    /// <summary>Applies a command that must succeed and returns the new board.</summary>
    public static HuddleBoard Ok(HuddleBoard board, BoardCommand command, string actor = Pcp, PatientProfile? patient = null)
    {
        var result = Run(board, command, actor, patient);
        Assert.Null(result.Error);
        return result.Value!;
    }

    /// <summary>A board with one card (card-5) for patient p-1 in lane-1.</summary>
    public static HuddleBoard WithCard() => Ok(NewBoard(), new AddCard("p-1", "lane-1"), patient: Patient());

    public static ImmutableArray<string> CardsIn(HuddleBoard board, string laneId) => board.FindLane(laneId)!.CardIds;
}
