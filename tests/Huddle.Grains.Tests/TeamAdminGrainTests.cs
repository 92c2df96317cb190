using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Users;

namespace Huddle.Grains.Tests;

/// <summary>
/// An administrator's roster change reaches the users it moved at least once (docs/architecture.md,
/// "Roster changes"): their team lists follow it, each change moves their access count (which web hosts
/// watch), and a team whose silo died before telling them tells them when it comes back.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class TeamAdminGrainTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private IUserAccessObserver? _host;

    private IUserAccessObserver Host => _host ??= fixture.Cluster.Client.CreateObjectReference<IUserAccessObserver>(new NoHost());

    private async Task<(string Team, string Admin, string Pcp, string Bhc)> NewAsync()
    {
        var n = Guid.NewGuid().ToString("N")[..10];
        var (team, admin, pcp, bhc) = ($"t-{n}", $"a-{n}", $"u-pcp-{n}", $"u-bhc-{n}");
        await fixture.Grains.GetGrain<IUserGrain>(admin).SetAsync(new UserProfile(admin, "Admin", UserKind.Administrator, null, []));
        foreach (var (id, name) in new[] { (pcp, "Dr. P"), (bhc, "B. H.") })
        {
            Assert.True((await fixture.Grains.GetGrain<IUserGrain>(id).AdministerAsync(admin, new UserAdminCommand(name, UserKind.Clinician))).Ok);
        }

        var grain = fixture.Grains.GetGrain<ICareTeamGrain>(team);
        Assert.True((await grain.AdministerAsync(admin, new TeamAdminCommand(TeamAdminOp.Settings, Name: "Team", TimeZoneId: "UTC"))).Ok);
        Assert.True((await grain.AdministerAsync(admin, new TeamAdminCommand(TeamAdminOp.SetMember, pcp, CareTeamRole.Pcp))).Ok);
        Assert.True((await grain.AdministerAsync(admin, new TeamAdminCommand(TeamAdminOp.SetMember, bhc, CareTeamRole.Bhc))).Ok);
        return (team, admin, pcp, bhc);
    }

    private async Task<bool> ListsAsync(string userId, string teamId) =>
        (await fixture.Grains.GetGrain<IUserGrain>(userId).GetAsync())!.TeamIds.Contains(teamId);

    [Fact]
    public async Task Users_put_on_and_taken_off_a_team_list_it_and_their_access_count_moves()
    {
        var (team, admin, pcp, bhc) = await NewAsync();
        Assert.True(await ListsAsync(pcp, team));
        Assert.True(await ListsAsync(bhc, team));
        var user = fixture.Grains.GetGrain<IUserGrain>(bhc);
        var version = await user.WatchAccessAsync(Host);
        Assert.Equal(1, version);

        Assert.True((await fixture.Grains.GetGrain<ICareTeamGrain>(team).AdministerAsync(admin, new TeamAdminCommand(TeamAdminOp.RemoveMember, bhc))).Ok);
        Assert.False(await ListsAsync(bhc, team));
        Assert.Equal(2, await user.WatchAccessAsync(Host));

        // A role change moves nobody's access: nothing to tell, no count moved.
        Assert.True((await fixture.Grains.GetGrain<ICareTeamGrain>(team).AdministerAsync(admin, new TeamAdminCommand(TeamAdminOp.SetMember, pcp, CareTeamRole.CareManager))).Ok);
        Assert.Equal(1, await fixture.Grains.GetGrain<IUserGrain>(pcp).WatchAccessAsync(Host));
        Assert.Equal(CareTeamRole.CareManager, (await fixture.Grains.GetGrain<ICareTeamGrain>(team).GetProfileAsync())!.Members.Single().Role);
    }

    [Fact]
    public async Task A_team_whose_silo_died_before_telling_a_user_tells_them_when_it_comes_back()
    {
        var (team, admin, _, bhc) = await NewAsync();

        // The BHC's grain cannot be told (until the team's activation is gone: its retry, 5 s on, would tell
        // them); the removal is stored and answered all the same.
        Faults.FailCalls(nameof(IUserGrain.TeamChangedAsync), bhc, 1000);
        var injected = Faults.Injected;
        Assert.True((await fixture.Grains.GetGrain<ICareTeamGrain>(team).AdministerAsync(admin, new TeamAdminCommand(TeamAdminOp.RemoveMember, bhc))).Ok);
        Assert.Equal(injected + 1, Faults.Injected);
        Assert.True(await ListsAsync(bhc, team));

        // The team's activation goes (as with its silo) before its retry: the BHC still lists the team.
        var management = fixture.Cluster.Client.GetGrain<IManagementGrain>(0);
        await management.ForceActivationCollection(TimeSpan.Zero);
        await Huddle.Testing.Eventually.Until(
            async () => (await management.GetActiveGrains(GrainType.Create("careteam"))).All(id => id.Key.ToString() != team),
            Wait, "the team's grain to deactivate");
        Assert.True(await ListsAsync(bhc, team));
        Faults.FailCalls(nameof(IUserGrain.TeamChangedAsync), bhc, 0);

        // Back (any call activates it), the team tells the BHC from what it stored.
        Assert.NotNull(await fixture.Grains.GetGrain<ICareTeamGrain>(team).GetProfileAsync());
        await Huddle.Testing.Eventually.Until(async () => !await ListsAsync(bhc, team), Wait, "the re-activated team to tell the BHC");
    }

    [Fact]
    public async Task Bad_changes_are_refused_and_change_nothing()
    {
        var (team, admin, pcp, bhc) = await NewAsync();
        var grain = fixture.Grains.GetGrain<ICareTeamGrain>(team);
        var before = await grain.GetProfileAsync();
        var display = $"d-{Guid.NewGuid():N}"[..12];
        await fixture.Grains.GetGrain<IUserGrain>(display).AdministerAsync(admin, new UserAdminCommand("Room", UserKind.RoomDisplay));

        (TeamAdminCommand Command, string Code)[] refused =
        [
            (new(TeamAdminOp.SetMember, display, CareTeamRole.Pcp), ErrorCodes.ValidationFailed),
            (new(TeamAdminOp.SetMember, "u-nobody-at-all", CareTeamRole.Pcp), ErrorCodes.NotFound),
            (new(TeamAdminOp.SetMember, pcp, (CareTeamRole)99), ErrorCodes.ValidationFailed),
            (new(TeamAdminOp.SetMember, "bad id", CareTeamRole.Pcp), ErrorCodes.ValidationFailed),
            (new(TeamAdminOp.AddDisplay, bhc), ErrorCodes.ValidationFailed),
            (new(TeamAdminOp.RemoveDisplay, display), ErrorCodes.NotFound),
            (new(TeamAdminOp.Settings, Name: new string('x', TeamAdminCommand.MaxNameLength + 1)), ErrorCodes.ValidationFailed),
            (new(TeamAdminOp.Settings, TimeZoneId: "Nowhere/Special"), ErrorCodes.ValidationFailed),
            (new(TeamAdminOp.Settings, Status: (CareTeamStatus)42), ErrorCodes.ValidationFailed),
            (new((TeamAdminOp)17), ErrorCodes.ValidationFailed),
        ];
        foreach (var (command, code) in refused)
        {
            Assert.True((await grain.AdministerAsync(admin, command)).Error?.Code == code, $"{command}: expected {code}");
        }

        Assert.Equal(ErrorCodes.Forbidden, (await grain.AdministerAsync(pcp, new TeamAdminCommand(TeamAdminOp.RemoveMember, bhc))).Error?.Code);
        Assert.Equal(ErrorCodes.NotFound, (await fixture.Grains.GetGrain<ICareTeamGrain>($"t-none-{Guid.NewGuid():N}"[..20]).AdministerAsync(admin, new TeamAdminCommand(TeamAdminOp.SetMember, pcp, CareTeamRole.Pcp))).Error?.Code);
        var after = await grain.GetProfileAsync();
        Assert.Equal((before!.Name, before.TimeZoneId, before.Status), (after!.Name, after.TimeZoneId, after.Status));
        Assert.Equal(before.Members, after.Members);
        Assert.Equal(before.DisplayIds, after.DisplayIds);

        // An administrator cannot un-make themselves; a user on a team keeps their kind.
        Assert.Equal(ErrorCodes.InvalidState, (await fixture.Grains.GetGrain<IUserGrain>(admin).AdministerAsync(admin, new UserAdminCommand("Admin", UserKind.Clinician))).Error?.Code);
        Assert.Equal(ErrorCodes.InvalidState, (await fixture.Grains.GetGrain<IUserGrain>(pcp).AdministerAsync(admin, new UserAdminCommand("Dr. P", UserKind.RoomDisplay))).Error?.Code);
    }

    /// <summary>A host reference for the watch calls (never told anything in these tests: the grain's answer is what they read).</summary>
    private sealed class NoHost : IUserAccessObserver
    {
        public Task AccessChanged(string userId, long version) => Task.CompletedTask;
    }
}
