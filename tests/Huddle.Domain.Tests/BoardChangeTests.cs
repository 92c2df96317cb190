using static Huddle.Domain.Tests.BoardFixture;

using Huddle.Contracts.Boards;
using Huddle.Grains.CareTeams.Board;

namespace Huddle.Domain.Tests;

public sealed class BoardChangeTests
{
    /// <summary>Every change, merged into the board before it, gives exactly the board after it.</summary>
    [Fact]
    public void A_change_merged_into_the_previous_board_reproduces_the_next_board()
    {
        BoardCommand[] script =
        [
            new AddLane("Stagnant"),
            new AddActionItem("Call pharmacy", Bhc, Today),
            new AddNote(NoteKind.LookBack, "Quiet night"),
            new MoveCard("card-5", "lane-2", 0),
            new SetCardNote("card-5", "needs BH"),
            new StartHuddle(),
            new SetAttendance(Bhc, true),
            new CompleteActionItem("item-7"),
            new RemoveNote("note-8"),
            new RemoveCard("card-5"),
            new EndHuddle("done"),
            new SetSharedScreenNames(true),
        ];
        var board = WithCard();
        foreach (var command in script)
        {
            var next = Ok(board, command);
            var change = BoardChange.Between(board, next, command.Op, Pcp, Now);
            Assert.Equal(next.Version, change.Version);
            var merged = change.ApplyTo(board);
            Assert.NotNull(merged);
            // NextId is the server's id counter; clients never allocate ids, so it is not sent.
            Assert.Equivalent(next, merged with { NextId = next.NextId }, strict: true);
            board = next;
        }
    }

    [Fact]
    public void A_change_only_carries_what_changed()
    {
        var board = WithCard();
        var next = Ok(board, new SetCardNote("card-5", "call back"));
        var change = BoardChange.Between(board, next, "setCardNote", Pcp, Now);
        Assert.Equal("card-5", Assert.Single(change.Cards).Id);
        Assert.Null(change.Lanes);
        Assert.Empty(change.ActionItems);
        Assert.False(change.SessionChanged);
        Assert.Null(change.Settings);
    }

    [Fact]
    public void A_change_after_a_gap_or_a_new_day_cannot_be_merged()
    {
        var board = WithCard();
        var v2 = Ok(board, new SetCardNote("card-5", "a"));
        var v3 = Ok(v2, new SetCardNote("card-5", "b"));
        Assert.Null(BoardChange.Between(v2, v3, "setCardNote", Pcp, Now).ApplyTo(board));
        var tomorrow = BoardRules.RollOver(board, Today.AddDays(1));
        var reset = BoardChange.Between(board, tomorrow, "newDay", "system", Now);
        Assert.True(reset.Reset);
        Assert.Null(reset.ApplyTo(board));
    }
}
