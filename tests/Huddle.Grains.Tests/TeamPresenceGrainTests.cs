using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Live;
using Huddle.Contracts.Presence;
using Huddle.Contracts.Users;

namespace Huddle.Grains.Tests;

/// <summary>A team's presence roster: clinicians of the team only, and a routing read that never writes.</summary>
[Collection(ClusterCollection.Name)]
public sealed class TeamPresenceGrainTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private sealed record Team(string Id, string Pcp, string Bhc, string Display)
    {
        public CareTeamProfile Profile(params string[] clinicians) => new(Id, "Team", CareTeamStatus.Active,
            [.. clinicians.Select(c => new TeamMember(c, c, CareTeamRole.Bhc))], [Display], "UTC");
    }

    private async Task<Team> NewTeamAsync()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var team = new Team($"team-{suffix}", $"u-pcp-{suffix}", $"u-bhc-{suffix}", $"d-room-{suffix}");
        await fixture.Grains.GetGrain<ICareTeamGrain>(team.Id).SetProfileAsync(team.Profile(team.Pcp, team.Bhc));
        foreach (var (user, kind) in new[] { (team.Pcp, UserKind.Clinician), (team.Bhc, UserKind.Clinician), (team.Display, UserKind.RoomDisplay) })
        {
            await fixture.Grains.GetGrain<IUserGrain>(user).SetAsync(new UserProfile(user, user, kind, null, [team.Id]));
        }

        return team;
    }

    private async Task<FeedProbe> WatchAsync(ITeamPresenceGrain roster, string userId)
    {
        Assert.True((await roster.OpenAsync(ITeamPresenceGrain.Feed, userId, null)).Ok);
        return await SubscribeAsync(roster);
    }

    /// <summary>A probe subscribed to the roster's feed without opening it (an open asks every member first).</summary>
    private async Task<FeedProbe> SubscribeAsync(ITeamPresenceGrain roster)
    {
        var probe = new FeedProbe();
        await roster.SubscribeAsync(ITeamPresenceGrain.Feed, fixture.Grains.CreateObjectReference<IFeedObserver>(probe));
        return probe;
    }

    private static async Task<TeamPresenceChange> NextAsync(FeedProbe probe) =>
        Assert.IsType<TeamPresenceChange>((await probe.NextAsync()).For(FeedAudiences.Members));

    [Fact]
    public async Task A_room_displays_presence_is_neither_published_nor_kept_by_the_roster()
    {
        var team = await NewTeamAsync();
        var roster = fixture.Grains.GetGrain<ITeamPresenceGrain>(team.Id);
        var probe = await WatchAsync(roster, team.Pcp);

        // The room display comes online, then a clinician: the feed carries the clinician only.
        await fixture.Grains.GetGrain<IPresenceGrain>(team.Display).ConnectAsync("c-display");
        await fixture.Grains.GetGrain<IPresenceGrain>(team.Bhc).ConnectAsync("c-bhc");
        var change = await NextAsync(probe);
        Assert.Equal((team.Bhc, PresenceStatus.Available), (change.Member!.UserId, change.Member.Status));

        var snapshot = (TeamPresenceSnapshot)(await roster.OpenAsync(ITeamPresenceGrain.Feed, team.Pcp, null)).Value!.Snapshot!;
        Assert.Equal(change.Seq, snapshot.Seq);
        Assert.Equal([team.Pcp, team.Bhc], snapshot.Members.Select(m => m.UserId));
        Assert.DoesNotContain(await roster.RosterAsync(), m => m.UserId == team.Display);
    }

    [Fact]
    public async Task A_former_member_is_dropped_from_the_roster_and_watchers_re_read()
    {
        var team = await NewTeamAsync();
        var roster = fixture.Grains.GetGrain<ITeamPresenceGrain>(team.Id);
        await fixture.Grains.GetGrain<IPresenceGrain>(team.Bhc).ConnectAsync("c-bhc");
        await fixture.Grains.GetGrain<IPresenceGrain>(team.Pcp).ConnectAsync("c-pcp");
        var probe = await WatchAsync(roster, team.Pcp);
        Assert.Equal([team.Pcp, team.Bhc], (await roster.RosterAsync()).Select(m => m.UserId));

        // The BHC leaves the team: the roster forgets them and tells its watchers to re-read.
        await fixture.Grains.GetGrain<ICareTeamGrain>(team.Id).SetProfileAsync(team.Profile(team.Pcp));
        Assert.True((await NextAsync(probe)).Reset);
        Assert.Equal([team.Pcp], (await roster.RosterAsync()).Select(m => m.UserId));

        // Their presence is no longer the team's news; the remaining member's still is.
        Assert.True((await fixture.Grains.GetGrain<IPresenceGrain>(team.Bhc).SetStatusAsync(PresenceStatus.Busy)).Ok);
        Assert.True((await fixture.Grains.GetGrain<IPresenceGrain>(team.Pcp).SetStatusAsync(PresenceStatus.Busy)).Ok);
        Assert.Equal(team.Pcp, (await NextAsync(probe)).Member!.UserId);
        Assert.Equal([team.Pcp], ((TeamPresenceSnapshot)(await roster.OpenAsync(ITeamPresenceGrain.Feed, team.Pcp, null)).Value!.Snapshot!).Members.Select(m => m.UserId));
    }

    [Fact]
    public async Task The_roster_follows_every_change_without_a_single_storage_write()
    {
        var team = await NewTeamAsync();
        var roster = fixture.Grains.GetGrain<ITeamPresenceGrain>(team.Id);
        var probe = await SubscribeAsync(roster);
        await fixture.Grains.GetGrain<IPresenceGrain>(team.Bhc).ConnectAsync("c-bhc");
        Assert.Equal(PresenceStatus.Available, (await NextAsync(probe)).Member!.Status);
        Assert.Equal(PresenceStatus.Available, (await roster.RosterAsync()).Single(m => m.UserId == team.Bhc).Status);

        // The BHC goes silent past their online time (without a tell): the routing read asks their grain
        // and answers at once; what it learnt is published on a turn of its own.
        fixture.Clock.Advance(fixture.OfflineAfter + TimeSpan.FromMinutes(1));
        Assert.Equal(PresenceStatus.Offline, (await roster.RosterAsync().WaitAsync(Wait)).Single(m => m.UserId == team.Bhc).Status);
        Assert.Equal(PresenceStatus.Offline, (await NextAsync(probe)).Member!.Status);

        // A projection of the members' grains: a roster of any size costs no write per presence change.
        Assert.False(MeasuredGrainStorage.Writes.ContainsKey(roster.GetGrainId()));
    }

    [Fact]
    public async Task A_re_activated_roster_asks_every_member_again_and_numbers_in_a_new_epoch()
    {
        var team = await NewTeamAsync();
        var roster = fixture.Grains.GetGrain<ITeamPresenceGrain>(team.Id);
        await fixture.Grains.GetGrain<IPresenceGrain>(team.Bhc).SetStatusAsync(PresenceStatus.Busy);
        await fixture.Grains.GetGrain<IPresenceGrain>(team.Bhc).ConnectAsync("c-bhc");
        var before = await roster.SubscribeAsync(ITeamPresenceGrain.Feed, fixture.Grains.CreateObjectReference<IFeedObserver>(new FeedProbe()));
        Assert.Equal(PresenceStatus.Busy, (await roster.RosterAsync()).Single(m => m.UserId == team.Bhc).Status);

        var management = fixture.Grains.GetGrain<IManagementGrain>(0);
        await management.DeactivateGrain(roster.GetGrainId());
        await Huddle.Testing.Eventually.Until(
            async () => !(await management.GetActiveGrains(roster.GetGrainId().Type)).Contains(roster.GetGrainId()),
            Wait, "the roster to deactivate");

        // Nothing was stored, and nothing is lost: the new activation asks the members' grains.
        Assert.Equal(PresenceStatus.Busy, (await roster.RosterAsync()).Single(m => m.UserId == team.Bhc).Status);
        var after = await roster.SubscribeAsync(ITeamPresenceGrain.Feed, fixture.Grains.CreateObjectReference<IFeedObserver>(new FeedProbe()));
        Assert.NotEqual(before.Epoch, after.Epoch);
    }

    [Fact]
    public async Task A_routing_read_answered_before_a_members_tell_never_overwrites_what_the_tell_brought()
    {
        var team = await NewTeamAsync();
        var roster = fixture.Grains.GetGrain<ITeamPresenceGrain>(team.Id);
        var probe = await SubscribeAsync(roster);
        var bhc = fixture.Grains.GetGrain<IPresenceGrain>(team.Bhc);
        await bhc.ConnectAsync("c-bhc");
        Assert.Equal(PresenceStatus.Available, (await NextAsync(probe)).Member!.Status);

        // The roster's first routing read asks every member; the BHC's grain answers "available", and the
        // answer is slow on its way back. Meanwhile the BHC goes busy and their grain tells the roster.
        var release = new TaskCompletionSource();
        var held = Faults.HoldReply($"{nameof(IPresenceGrain)}.{nameof(IPresenceGrain.GetAsync)}", team.Bhc, release.Task);
        var routing = roster.RosterAsync();
        await held.WaitAsync(Wait);
        Assert.True((await bhc.SetStatusAsync(PresenceStatus.Busy)).Ok);
        Assert.Equal(PresenceStatus.Busy, (await NextAsync(probe)).Member!.Status);

        // The older answer arrives: routing is given the newer status, and the roster keeps it.
        release.SetResult();
        Assert.Equal(PresenceStatus.Busy, (await routing.WaitAsync(Wait)).Single(m => m.UserId == team.Bhc).Status);
        // A change after it, on the same feed: the next the watchers get is the PCP's, not the BHC made available again.
        await fixture.Grains.GetGrain<IPresenceGrain>(team.Pcp).ConnectAsync("c-pcp");
        var next = (await NextAsync(probe)).Member!;
        Assert.Equal((team.Pcp, PresenceStatus.Available), (next.UserId, next.Status));
        var snapshot = (TeamPresenceSnapshot)(await roster.OpenAsync(ITeamPresenceGrain.Feed, team.Pcp, null)).Value!.Snapshot!;
        Assert.Equal(PresenceStatus.Busy, snapshot.Members.Single(m => m.UserId == team.Bhc).Status);
        Assert.Equal(0, probe.ChangesWaiting);
    }
}
