using static Huddle.Domain.Tests.BoardFixture;

using Huddle.Contracts.Boards;
using Huddle.Grains.CareTeams.Board;

namespace Huddle.Domain.Tests;

public sealed class SharedScreenPrivacyTests
{
    [Fact]
    public void By_default_the_shared_screen_shows_initials_and_room_but_no_name_note_or_clinical_detail()
    {
        var board = Ok(WithCard(), new SetCardNote("card-5", "MDD, SI screen negative"));
        var card = Assert.Single(SharedScreenPrivacy.Redact(board).Cards);
        Assert.Equal(("R.D.", "R.D.", "Exam 3"), (card.PatientName, card.Initials, card.Room));
        Assert.Null(card.Note);
        Assert.All(card.Flags, f => Assert.Null(f.Detail));
    }

    [Fact]
    public void A_team_that_turns_names_on_sees_full_cards_and_the_switch_makes_screens_refetch()
    {
        var board = WithCard();
        var named = Ok(board, new SetSharedScreenNames(true));
        Assert.Equal("Rosa Delgado", SharedScreenPrivacy.Redact(named).Cards[0].PatientName);
        var change = BoardChange.Between(board, named, "setSharedScreenNames", Pcp, Now);
        Assert.True(SharedScreenPrivacy.Redact(change, named.Settings).Reset);
    }

    [Fact]
    public void Changes_sent_to_the_shared_screen_are_redacted_too()
    {
        var board = WithCard();
        var next = Ok(board, new SetCardNote("card-5", "private"));
        var change = SharedScreenPrivacy.Redact(BoardChange.Between(board, next, "setCardNote", Pcp, Now), next.Settings);
        Assert.Equal("R.D.", change.Cards[0].PatientName);
        Assert.Null(change.Cards[0].Note);
    }
}
