using static Huddle.Domain.Tests.BoardFixture;

using Huddle.Contracts.Boards;
using Huddle.Contracts.Common;
using Huddle.Contracts.Patients;
using Huddle.Grains.CareTeams.Board;

namespace Huddle.Domain.Tests;

public sealed class BoardRulesTests
{
    private static void Rejected(HuddleBoard board, BoardCommand command, string code, string actor = Pcp, Huddle.Contracts.Patients.PatientProfile? patient = null)
    {
        var result = Run(board, command, actor, patient);
        Assert.Null(result.Value);
        Assert.Equal(code, result.Error?.Code);
        Assert.False(string.IsNullOrWhiteSpace(result.Error?.Message));
    }

    [Fact]
    public void A_new_board_has_the_default_lanes_and_version_zero()
    {
        var board = NewBoard();
        Assert.Equal(0, board.Version);
        Assert.Equal(["To discuss", "Needs BH today", "Follow-up due", "Done"], board.Lanes.Select(l => l.Title));
        Assert.True(board.Lanes[^1].ClearsDaily);
    }

    [Fact]
    public void Every_accepted_change_bumps_the_version_by_one()
    {
        var board = WithCard();
        Assert.Equal(1, board.Version);
        board = Ok(board, new SetCardNote("card-5", "call back"));
        Assert.Equal(2, board.Version);
    }

    [Fact]
    public void Adding_a_card_copies_the_patient_summary_into_the_lane()
    {
        var board = WithCard();
        var card = Assert.Single(board.Cards);
        Assert.Equal(("card-5", "p-1", "Rosa Delgado", "R.D.", "Exam 3"), (card.Id, card.PatientId, card.PatientName, card.Initials, card.Room));
        Assert.Equal(FlagKind.Phq9, Assert.Single(card.Flags).Kind);
        Assert.Equal(["card-5"], CardsIn(board, "lane-1"));
    }

    [Fact]
    public void Adding_a_card_rejects_unknown_patients_lanes_duplicates_and_other_teams_patients()
    {
        var board = NewBoard();
        Rejected(board, new AddCard("p-1", "lane-1"), ErrorCodes.NotFound, patient: null);
        Rejected(board, new AddCard("p-1", "lane-9"), ErrorCodes.NotFound, patient: Patient());
        Rejected(board, new AddCard("p-2", "lane-1"), ErrorCodes.Forbidden, patient: Patient("p-2", "team-other"));
        Rejected(WithCard(), new AddCard("p-1", "lane-2"), ErrorCodes.InvalidState, patient: Patient());
        Rejected(board, new AddCard("p-1", "lane-1", OwnerId: Outsider), ErrorCodes.NotFound, patient: Patient());
        Rejected(board, new AddCard("p-1", "lane-1", Note: new string('x', BoardLimits.NoteLength + 1)), ErrorCodes.ValidationFailed, patient: Patient());
    }

    [Fact]
    public void Moving_a_card_to_another_lane_inserts_it_at_the_index()
    {
        var board = WithCard();
        board = Ok(board, new AddCard("p-2", "lane-2"), patient: Patient("p-2"));
        board = Ok(board, new MoveCard("card-5", "lane-2", 0));
        Assert.Empty(CardsIn(board, "lane-1"));
        Assert.Equal(["card-5", "card-6"], CardsIn(board, "lane-2"));
    }

    [Fact]
    public void Moving_a_card_within_its_lane_reorders()
    {
        var board = WithCard();
        board = Ok(board, new AddCard("p-2", "lane-1"), patient: Patient("p-2"));
        board = Ok(board, new AddCard("p-3", "lane-1"), patient: Patient("p-3"));
        board = Ok(board, new MoveCard("card-5", "lane-1", 2));
        Assert.Equal(["card-6", "card-7", "card-5"], CardsIn(board, "lane-1"));
    }

    [Fact]
    public void Moving_rejects_unknown_card_unknown_lane_and_bad_index()
    {
        var board = WithCard();
        Rejected(board, new MoveCard("card-99", "lane-2", 0), ErrorCodes.NotFound);
        Rejected(board, new MoveCard("card-5", "lane-99", 0), ErrorCodes.NotFound);
        Rejected(board, new MoveCard("card-5", "lane-2", 1), ErrorCodes.ValidationFailed);
        Rejected(board, new MoveCard("card-5", "lane-1", 1), ErrorCodes.ValidationFailed);
        Rejected(board, new MoveCard("card-5", "lane-2", -1), ErrorCodes.ValidationFailed);
    }

    [Fact]
    public void A_stale_expected_version_is_a_conflict_and_the_current_one_is_accepted()
    {
        var board = WithCard();
        Rejected(board, new MoveCard("card-5", "lane-2", 0) { ExpectedVersion = 0 }, ErrorCodes.VersionConflict);
        Assert.Equal(2, Ok(board, new MoveCard("card-5", "lane-2", 0) { ExpectedVersion = 1 }).Version);
    }

    [Fact]
    public void Only_members_change_the_board_the_room_display_and_outsiders_are_forbidden()
    {
        var board = WithCard();
        Rejected(board, new SetCardNote("card-5", "x"), ErrorCodes.Forbidden, actor: Display);
        Rejected(board, new SetCardNote("card-5", "x"), ErrorCodes.Forbidden, actor: Outsider);
    }

    [Fact]
    public void Card_owner_due_note_and_flags_can_be_set_and_cleared()
    {
        var board = WithCard();
        board = Ok(board, new AssignCard("card-5", Bhc));
        board = Ok(board, new SetCardDue("card-5", Today));
        board = Ok(board, new SetCardNote("card-5", "  warm handoff  "));
        board = Ok(board, new SetCardFlags("card-5", [new CardFlag(FlagKind.RecentEdVisit, "2d ago")]));
        var card = board.FindCard("card-5")!;
        Assert.Equal((Bhc, (DateOnly?)Today, "warm handoff"), (card.OwnerId, card.Due, card.Note));
        Assert.Equal(FlagKind.RecentEdVisit, Assert.Single(card.Flags).Kind);

        board = Ok(board, new AssignCard("card-5", null));
        board = Ok(board, new SetCardNote("card-5", ""));
        Assert.Null(board.FindCard("card-5")!.OwnerId);
        Assert.Null(board.FindCard("card-5")!.Note);
    }

    [Fact]
    public void Card_edits_reject_unknown_cards_non_members_and_oversized_text()
    {
        var board = WithCard();
        Rejected(board, new AssignCard("card-5", Outsider), ErrorCodes.NotFound);
        Rejected(board, new AssignCard("card-9", Bhc), ErrorCodes.NotFound);
        Rejected(board, new SetCardNote("card-5", new string('é', BoardLimits.NoteLength + 1)), ErrorCodes.ValidationFailed);
        Rejected(board, new SetCardNote("card-5", "bell\u0007"), ErrorCodes.ValidationFailed);
        Rejected(board, new SetCardFlags("card-5", [.. Enumerable.Repeat(new CardFlag(FlagKind.CareGap), BoardLimits.FlagsPerCard + 1)]), ErrorCodes.LimitExceeded);
        Rejected(board, new SetCardFlags("card-5", [new CardFlag((FlagKind)99)]), ErrorCodes.ValidationFailed);
        Rejected(board, new SetCardDue("card-9", Today), ErrorCodes.NotFound);
    }

    [Fact]
    public void Removing_a_card_takes_it_off_its_lane()
    {
        var board = Ok(WithCard(), new RemoveCard("card-5"));
        Assert.Empty(board.Cards);
        Assert.Empty(CardsIn(board, "lane-1"));
        Rejected(board, new RemoveCard("card-5"), ErrorCodes.NotFound);
    }

    [Fact]
    public void Lanes_can_be_added_renamed_moved_and_removed_when_empty()
    {
        var board = Ok(NewBoard(), new AddLane("Stagnant"));
        var lane = board.Lanes[^1];
        Assert.Equal(("lane-5", "Stagnant"), (lane.Id, lane.Title));
        board = Ok(board, new RenameLane("lane-5", "Escalate"));
        board = Ok(board, new MoveLane("lane-5", 0));
        Assert.Equal("Escalate", board.Lanes[0].Title);
        board = Ok(board, new RemoveLane("lane-5"));
        Assert.Equal(4, board.Lanes.Length);
    }

    [Fact]
    public void Lane_operations_reject_bad_input()
    {
        var board = WithCard();
        Rejected(board, new AddLane(" "), ErrorCodes.ValidationFailed);
        Rejected(board, new AddLane(new string('x', BoardLimits.TitleLength + 1)), ErrorCodes.ValidationFailed);
        Rejected(board, new RenameLane("lane-9", "x"), ErrorCodes.NotFound);
        Rejected(board, new MoveLane("lane-1", 4), ErrorCodes.ValidationFailed);
        Rejected(board, new RemoveLane("lane-1"), ErrorCodes.InvalidState);
        var full = NewBoard();
        for (var i = full.Lanes.Length; i < BoardLimits.Lanes; i++)
        {
            full = Ok(full, new AddLane($"Lane {i}"));
        }

        Rejected(full, new AddLane("one too many"), ErrorCodes.LimitExceeded);
    }

    [Fact]
    public void Logistics_work_items_keep_their_kind_through_completion_and_the_next_day()
    {
        var board = NewBoard();
        board = Ok(board, new AddActionItem("Ride to cardiology Tue 9:00", Bhc, Today.AddDays(1), ActionItemKind.Transport));
        board = Ok(board, new AddActionItem("Walker delivery", null, Today, ActionItemKind.MedicalEquipment));
        board = Ok(board, new AddActionItem("Call pharmacy"));
        Assert.Equal([ActionItemKind.Transport, ActionItemKind.MedicalEquipment, ActionItemKind.Task], board.ActionItems.Select(i => i.Kind));
        Assert.Equal(ActionItemStatus.DueToday, board.ActionItems[1].Status);
        Rejected(board, new AddActionItem("Unknown kind", null, null, (ActionItemKind)9), ErrorCodes.ValidationFailed);

        var next = BoardRules.RollOver(board, Today.AddDays(1));
        Assert.Equal(ActionItemKind.Transport, next.ActionItems[0].Kind);
        Assert.Equal(ActionItemStatus.DueToday, next.ActionItems[0].Status);
        Assert.Equal(ActionItemStatus.Overdue, next.ActionItems[1].Status);
    }

    [Fact]
    public void Action_items_get_a_status_from_their_due_date_and_can_be_completed_and_reopened()
    {
        var board = NewBoard();
        board = Ok(board, new AddActionItem("Call pharmacy", Bhc, Today));
        board = Ok(board, new AddActionItem("Order labs", null, Today.AddDays(-1)));
        board = Ok(board, new AddActionItem("Plan outreach", null, Today.AddDays(2)));
        Assert.Equal([ActionItemStatus.DueToday, ActionItemStatus.Overdue, ActionItemStatus.Open], board.ActionItems.Select(i => i.Status));

        board = Ok(board, new CompleteActionItem("item-5"), actor: Bhc);
        var done = board.ActionItems[0];
        Assert.Equal((ActionItemStatus.Done, Bhc, (DateTimeOffset?)Now), (done.Status, done.CompletedBy, done.CompletedAt));
        Rejected(board, new CompleteActionItem("item-5"), ErrorCodes.InvalidState);

        board = Ok(board, new ReopenActionItem("item-5"));
        Assert.Equal(ActionItemStatus.DueToday, board.ActionItems[0].Status);
        Rejected(board, new ReopenActionItem("item-5"), ErrorCodes.InvalidState);

        board = Ok(board, new SetActionItemDue("item-7", Today.AddDays(-3)));
        Assert.Equal(ActionItemStatus.Overdue, board.ActionItems[2].Status);
        board = Ok(board, new AssignActionItem("item-7", Pcp));
        Assert.Equal(Pcp, board.ActionItems[2].OwnerId);
        board = Ok(board, new RemoveActionItem("item-6"));
        Assert.Equal(2, board.ActionItems.Length);
    }

    [Fact]
    public void Action_items_reject_bad_input()
    {
        var board = Ok(NewBoard(), new AddActionItem("Call pharmacy"));
        Rejected(board, new AddActionItem(""), ErrorCodes.ValidationFailed);
        Rejected(board, new AddActionItem("x", Outsider), ErrorCodes.NotFound);
        Rejected(board, new CompleteActionItem("item-99"), ErrorCodes.NotFound);
        Rejected(board, new AssignActionItem("item-5", Outsider), ErrorCodes.NotFound);
        Rejected(board, new RemoveActionItem("item-99"), ErrorCodes.NotFound);
    }

    [Fact]
    public void Look_back_and_look_ahead_notes_are_added_and_removed()
    {
        var board = Ok(NewBoard(), new AddNote(NoteKind.LookBack, "Fall in lobby, no injury"));
        board = Ok(board, new AddNote(NoteKind.LookAhead, "Interpreter on site 1-4"));
        Assert.Equal([NoteKind.LookBack, NoteKind.LookAhead], board.Notes.Select(n => n.Kind));
        Assert.Equal(Pcp, board.Notes[0].AuthorId);
        board = Ok(board, new RemoveNote("note-5"));
        Assert.Single(board.Notes);
        Rejected(board, new RemoveNote("note-5"), ErrorCodes.NotFound);
        Rejected(board, new AddNote(NoteKind.LookBack, "   "), ErrorCodes.ValidationFailed);
        Rejected(board, new AddNote((NoteKind)7, "x"), ErrorCodes.ValidationFailed);
    }

    [Fact]
    public void A_huddle_starts_records_attendance_moves_through_the_agenda_and_ends_with_a_summary()
    {
        var board = Ok(NewBoard(), new StartHuddle());
        Assert.Equal([Pcp], board.Session!.Attendees);
        Assert.Equal("lane-1", board.Session.AgendaLaneId);
        board = Ok(board, new SetAttendance(Bhc, true));
        board = Ok(board, new SetAttendance(Pcp, false));
        board = Ok(board, new SetAgenda("lane-2"));
        Assert.Equal([Bhc], board.Session!.Attendees);
        Assert.Equal("lane-2", board.Session.AgendaLaneId);
        board = Ok(board, new EndHuddle("2 warm handoffs planned"));
        Assert.True(board.Session!.IsEnded);
        Assert.Equal(("2 warm handoffs planned", Pcp), (board.Session.Summary, board.Session.EndedBy));
    }

    [Fact]
    public void Huddle_actions_are_rejected_before_start_and_after_end()
    {
        var board = NewBoard();
        Rejected(board, new SetAttendance(Bhc, true), ErrorCodes.InvalidState);
        Rejected(board, new EndHuddle(null), ErrorCodes.InvalidState);
        board = Ok(board, new StartHuddle());
        Rejected(board, new StartHuddle(), ErrorCodes.InvalidState);
        Rejected(board, new SetAttendance(Outsider, true), ErrorCodes.NotFound);
        Rejected(board, new SetAgenda("lane-99"), ErrorCodes.NotFound);
        Rejected(board, new EndHuddle(new string('s', BoardLimits.SummaryLength + 1)), ErrorCodes.ValidationFailed);
        board = Ok(board, new EndHuddle(null));
        Rejected(board, new SetAttendance(Bhc, true), ErrorCodes.InvalidState);
        Rejected(board, new SetAgenda("lane-2"), ErrorCodes.InvalidState);
        Rejected(board, new EndHuddle("again"), ErrorCodes.InvalidState);
        Rejected(board, new StartHuddle(), ErrorCodes.InvalidState);
    }

    [Fact]
    public void A_new_day_keeps_open_work_clears_the_done_lane_notes_and_session_and_keeps_counting()
    {
        var board = WithCard();
        board = Ok(board, new AddCard("p-2", "lane-4"), patient: Patient("p-2"));
        board = Ok(board, new AddActionItem("Due today", null, Today));
        board = Ok(board, new AddActionItem("Finished"));
        board = Ok(board, new CompleteActionItem("item-8"));
        board = Ok(board, new AddNote(NoteKind.LookAhead, "Staffing short"));
        board = Ok(board, new StartHuddle());

        var next = BoardRules.RollOver(board, Today.AddDays(1));
        Assert.Equal(board.Version + 1, next.Version);
        Assert.Equal(["card-5"], next.Cards.Select(c => c.Id));
        Assert.Empty(CardsIn(next, "lane-4"));
        var item = Assert.Single(next.ActionItems);
        Assert.Equal(ActionItemStatus.Overdue, item.Status);
        Assert.Empty(next.Notes);
        Assert.Null(next.Session);
    }
}
