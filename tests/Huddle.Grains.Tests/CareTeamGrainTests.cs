using System.Threading.Channels;
using Huddle.Contracts.Boards;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Patients;

namespace Huddle.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class CareTeamGrainTests(ClusterFixture fixture)
{
    private const string Pcp = "u-pcp";
    private const string Bhc = "u-bhc";
    private const string Display = "d-room";

    /// <summary>A new team with a fresh id, two members, a display and one patient on its panel.</summary>
    private async Task<(ICareTeamGrain Grain, string TeamId, string PatientId)> NewTeamAsync()
    {
        var teamId = $"team-{Guid.NewGuid():N}";
        var patientId = $"p-{Guid.NewGuid():N}";
        await fixture.Grains.GetGrain<IPatientGrain>(patientId).SetAsync(new PatientProfile(patientId, "Rosa Delgado", "R.D.", "Exam 3", [new CardFlag(FlagKind.Phq9, "18")], [teamId]));
        var grain = fixture.Grains.GetGrain<ICareTeamGrain>(teamId);
        await grain.SetProfileAsync(new CareTeamProfile(teamId, "Team", CareTeamStatus.Active,
            [new TeamMember(Pcp, "Dr. P", CareTeamRole.Pcp), new TeamMember(Bhc, "B. H.", CareTeamRole.Bhc)], [Display], "UTC"));
        return (grain, teamId, patientId);
    }

    [Fact]
    public async Task An_accepted_command_is_kept_and_readable_at_the_new_version()
    {
        var (grain, _, patientId) = await NewTeamAsync();
        var result = await grain.ExecuteAsync(Pcp, new AddCard(patientId, "lane-2", Bhc, Note: "warm handoff"));
        Assert.True(result.Ok);
        Assert.Equal(1, result.Version);

        var read = await grain.GetBoardAsync(Bhc);
        Assert.Equal(TeamAccess.Member, read.Access);
        Assert.Equal(1, read.Board!.Version);
        var card = Assert.Single(read.Board.Cards);
        Assert.Equal(("Rosa Delgado", Bhc, "warm handoff"), (card.PatientName, card.OwnerId, card.Note));
        Assert.Equal([card.Id], read.Board.FindLane("lane-2")!.CardIds);
    }

    [Fact]
    public async Task A_rejected_command_changes_nothing()
    {
        var (grain, _, patientId) = await NewTeamAsync();
        await grain.ExecuteAsync(Pcp, new AddCard(patientId, "lane-1"));
        var before = (await grain.GetBoardAsync(Pcp)).Board!;

        var result = await grain.ExecuteAsync(Pcp, new MoveCard("card-5", "lane-9", 0));
        Assert.Equal(ErrorCodes.NotFound, result.Error?.Code);
        Assert.Equal(before.Version, result.Version);
        Assert.Equivalent(before, (await grain.GetBoardAsync(Pcp)).Board, strict: true);
    }

    [Fact]
    public async Task Membership_is_checked_on_every_read_and_write()
    {
        var (grain, _, _) = await NewTeamAsync();
        Assert.Equal(TeamAccess.None, await grain.GetAccessAsync("u-stranger"));
        Assert.Equal(TeamAccess.Display, await grain.GetAccessAsync(Display));
        Assert.Equal(ErrorCodes.Forbidden, (await grain.GetBoardAsync("u-stranger")).Error?.Code);
        Assert.Equal(ErrorCodes.Forbidden, (await grain.ExecuteAsync("u-stranger", new AddLane("x"))).Error?.Code);
        Assert.Equal(ErrorCodes.Forbidden, (await grain.ExecuteAsync(Display, new AddLane("x"))).Error?.Code);
    }

    [Fact]
    public async Task An_unknown_team_is_not_found_and_keeps_no_state()
    {
        var grain = fixture.Grains.GetGrain<ICareTeamGrain>($"team-{Guid.NewGuid():N}");
        Assert.Equal(ErrorCodes.NotFound, (await grain.GetBoardAsync(Pcp)).Error?.Code);
        Assert.Equal(ErrorCodes.NotFound, (await grain.ExecuteAsync(Pcp, new AddLane("x"))).Error?.Code);
        Assert.Null(await grain.GetProfileAsync());
    }

    [Fact]
    public async Task A_patient_from_another_team_cannot_be_put_on_the_board()
    {
        var (grain, _, _) = await NewTeamAsync();
        var (_, _, otherPatient) = await NewTeamAsync();
        Assert.Equal(ErrorCodes.Forbidden, (await grain.ExecuteAsync(Pcp, new AddCard(otherPatient, "lane-1"))).Error?.Code);
        Assert.Equal(ErrorCodes.NotFound, (await grain.ExecuteAsync(Pcp, new AddCard("p-missing", "lane-1"))).Error?.Code);
    }

    [Fact]
    public async Task Subscribed_observers_receive_each_change_and_displays_get_it_redacted()
    {
        var (grain, teamId, patientId) = await NewTeamAsync();
        var observer = new ChannelObserver();
        var reference = fixture.Grains.CreateObjectReference<IBoardObserver>(observer);
        await grain.SubscribeAsync(reference);

        await grain.ExecuteAsync(Pcp, new AddCard(patientId, "lane-1", Note: "private"));
        var notice = await observer.Notices.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal((teamId, 1L, "addCard"), (notice.Full.TeamId, notice.Full.Version, notice.Full.Op));
        Assert.Equal("Rosa Delgado", notice.Full.Cards[0].PatientName);
        Assert.Equal(("R.D.", (string?)null), (notice.SharedScreen.Cards[0].PatientName, notice.SharedScreen.Cards[0].Note));

        // A second observer stays: its notice of the next change is the barrier after which the
        // first would have had it too.
        var witness = new ChannelObserver();
        await grain.SubscribeAsync(fixture.Grains.CreateObjectReference<IBoardObserver>(witness));
        await grain.UnsubscribeAsync(reference);
        await grain.ExecuteAsync(Pcp, new AddLane("after unsubscribe"));
        Assert.Equal(2, (await witness.Notices.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10))).Full.Version);
        Assert.False(observer.Notices.TryRead(out _));
    }

    [Fact]
    public async Task A_new_day_rolls_the_board_over_and_tells_subscribers_to_refetch()
    {
        var (grain, _, patientId) = await NewTeamAsync();
        await grain.ExecuteAsync(Pcp, new AddCard(patientId, "lane-1"));
        await grain.ExecuteAsync(Pcp, new StartHuddle());
        var observer = new ChannelObserver();
        await grain.SubscribeAsync(fixture.Grains.CreateObjectReference<IBoardObserver>(observer));

        // The shared clock only moves forward; other tests make fresh teams and do not care which day it is.
        var today = fixture.Clock.GetUtcNow();
        fixture.Clock.Advance(TimeSpan.FromDays(1));
        var board = (await grain.GetBoardAsync(Pcp)).Board!;
        Assert.Equal(DateOnly.FromDateTime(today.UtcDateTime).AddDays(1), board.Day);
        Assert.Null(board.Session);
        Assert.Single(board.Cards);
        Assert.Equal(3, board.Version);
        var notice = await observer.Notices.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(notice.Full.Reset);
        Assert.Equal("newDay", notice.Full.Op);

        // Yesterday is kept as it ended, in a history page of its own.
        var yesterday = DateOnly.FromDateTime(today.UtcDateTime);
        var past = await grain.GetHistoryAsync(Bhc, yesterday.AddDays(-7), yesterday);
        Assert.Null(past.Error);
        var day = Assert.Single(past.Boards);
        Assert.Equal((yesterday, 2L), (day.Day, day.Version));
        Assert.Equal(Pcp, day.Session!.StartedBy);
        Assert.Equal(ErrorCodes.Forbidden, (await grain.GetHistoryAsync(Display, yesterday, yesterday)).Error?.Code);
        Assert.Equal(ErrorCodes.ValidationFailed, (await grain.GetHistoryAsync(Pcp, yesterday.AddDays(-31), yesterday)).Error?.Code);
        Assert.Equal(ErrorCodes.ValidationFailed, (await grain.GetHistoryAsync(Pcp, yesterday, yesterday.AddDays(-1))).Error?.Code);
    }

    [Fact]
    public async Task A_patients_teams_decide_which_panels_list_it()
    {
        var (grain, teamId, patientId) = await NewTeamAsync();
        var (other, otherId, _) = await NewTeamAsync();
        var panel = await grain.GetPanelAsync(Pcp);
        Assert.Null(panel.Error);
        Assert.Equal([patientId], panel.Patients.Select(p => p.PatientId));

        // The patient moves to the other team: it leaves this panel and joins that one.
        var patient = fixture.Grains.GetGrain<IPatientGrain>(patientId);
        await patient.SetAsync((await patient.GetAsync())! with { TeamIds = [otherId] });
        Assert.Empty((await grain.GetPanelAsync(Pcp)).Patients);
        Assert.Contains(patientId, (await other.GetPanelAsync(Pcp)).Patients.Select(p => p.PatientId));
        Assert.Equal(ErrorCodes.Forbidden, (await grain.ExecuteAsync(Pcp, new AddCard(patientId, "lane-1"))).Error?.Code);

        Assert.Equal(ErrorCodes.Forbidden, (await grain.GetPanelAsync(Display)).Error?.Code);
        Assert.Equal(ErrorCodes.Forbidden, (await grain.GetPanelAsync("u-stranger")).Error?.Code);
        Assert.Equal(teamId, (await grain.GetProfileAsync())!.TeamId);
    }

    private sealed class ChannelObserver : IBoardObserver
    {
        private readonly Channel<BoardNotice> _notices = Channel.CreateUnbounded<BoardNotice>();

        public ChannelReader<BoardNotice> Notices => _notices.Reader;

        public Task OnBoardChanged(BoardNotice notice)
        {
            _notices.Writer.TryWrite(notice);
            return Task.CompletedTask;
        }
    }
}
