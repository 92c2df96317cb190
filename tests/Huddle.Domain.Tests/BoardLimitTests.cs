using Huddle.Contracts.Boards;
using Huddle.Contracts.Common;
using Huddle.Contracts.Patients;
using static Huddle.Domain.Tests.BoardFixture;

namespace Huddle.Domain.Tests;

/// <summary>Every board limit holds at its edge: the last one allowed is accepted, the next is refused and changes nothing.</summary>
public sealed class BoardLimitTests
{
    private static HuddleBoard Fill(HuddleBoard board, int count, Func<int, BoardCommand> command, Func<int, PatientProfile?>? patient = null)
    {
        for (var i = 0; i < count; i++)
        {
            board = Ok(board, command(i), patient: patient?.Invoke(i));
        }

        return board;
    }

    private static void Refused(HuddleBoard board, BoardCommand command, string code, PatientProfile? patient = null)
    {
        var result = Run(board, command, patient: patient);
        Assert.Equal(code, result.Error?.Code);
        Assert.Null(result.Value);
    }

    [Fact]
    public void A_board_holds_at_most_200_cards()
    {
        var full = Fill(NewBoard(), BoardLimits.Cards, i => new AddCard($"p-{i}", "lane-1"), i => Patient($"p-{i}"));
        Assert.Equal(BoardLimits.Cards, full.Cards.Length);
        Refused(full, new AddCard("p-extra", "lane-1"), ErrorCodes.LimitExceeded, Patient("p-extra"));

        // Room again once one leaves.
        var fewer = Ok(full, new RemoveCard(full.Cards[0].Id));
        Assert.Equal(BoardLimits.Cards, Ok(fewer, new AddCard("p-extra", "lane-1"), patient: Patient("p-extra")).Cards.Length);
    }

    [Fact]
    public void A_board_holds_at_most_200_action_items()
    {
        var full = Fill(NewBoard(), BoardLimits.ActionItems, i => new AddActionItem($"Item {i}"));
        Assert.Equal(BoardLimits.ActionItems, full.ActionItems.Length);
        Refused(full, new AddActionItem("One too many"), ErrorCodes.LimitExceeded);
    }

    [Fact]
    public void A_board_holds_at_most_50_notes()
    {
        var full = Fill(NewBoard(), BoardLimits.Notes, i => new AddNote(i % 2 == 0 ? NoteKind.LookBack : NoteKind.LookAhead, $"Note {i}"));
        Assert.Equal(BoardLimits.Notes, full.Notes.Length);
        Refused(full, new AddNote(NoteKind.LookAhead, "One too many"), ErrorCodes.LimitExceeded);
    }

    [Fact]
    public void The_last_lane_cannot_be_removed_and_a_lane_with_cards_neither()
    {
        var board = NewBoard();
        var kept = board.Lanes[0];
        foreach (var lane in board.Lanes.Where(l => l.Id != kept.Id))
        {
            board = Ok(board, new RemoveLane(lane.Id));
        }

        var last = Assert.Single(board.Lanes);
        Assert.Equal(kept.Id, last.Id);
        Refused(board, new RemoveLane(last.Id), ErrorCodes.InvalidState);

        var busy = Ok(Ok(board, new AddLane("Second")), new AddCard("p-1", last.Id), patient: Patient());
        Refused(busy, new RemoveLane(last.Id), ErrorCodes.InvalidState);
    }

    [Fact]
    public void Every_command_is_a_declared_operation_with_a_fixed_public_name()
    {
        var commands = typeof(BoardCommand).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(BoardCommand)) && !t.IsAbstract).ToList();
        Assert.Equal(commands.Count, BoardOperations.ByName.Count);
        Assert.All(commands, t => Assert.Equal(t, BoardOperations.ByName[BoardOperations.NameOf(t)]));

        // The names are the public API (docs/api.md): pinned here, so a rename of a C# type cannot change them.
        Assert.Equal(
            ["addActionItem", "addCard", "addLane", "addNote", "assignActionItem", "assignCard", "completeActionItem", "endHuddle",
             "moveCard", "moveLane", "removeActionItem", "removeCard", "removeLane", "removeNote", "renameLane", "reopenActionItem",
             "setActionItemDue", "setAgenda", "setAttendance", "setCardDue", "setCardFlags", "setCardNote", "setSharedScreenNames", "startHuddle"],
            BoardOperations.Names);
        Assert.Equal("moveCard", new MoveCard("c", "l", 0).Op);
    }
}
