using System.Net.Http.Json;
using System.Threading.Channels;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Handoffs;
using Huddle.Contracts.Presence;
using Huddle.Testing;
using Huddle.Web.Auth;
using Huddle.Web.Handoffs;
using Huddle.Web.Http;
using Huddle.Web.Live;
using Microsoft.AspNetCore.SignalR.Client;

namespace Huddle.Web.Tests.Handoffs;

/// <summary>Warm handoffs as three real SignalR clients see them: a PCP and two BHCs.</summary>
public sealed class HandoffHubTests(HuddleAppFixture app)
{
    private async Task<(string TeamId, string Pcp, string Bhc1, string Bhc2)> CreateTeamAsync()
    {
        var n = Guid.NewGuid().ToString("N")[..8];
        var team = ($"team-ho-{n}", $"u-pcp-{n}", $"u-bhc1-{n}", $"u-bhc2-{n}");
        using var http = app.Http();
        var request = new DevTeamRequest("Handoff team",
            [new(team.Item2, "Dr. Pat Carter", CareTeamRole.Pcp), new(team.Item3, "Sam Okafor", CareTeamRole.Bhc), new(team.Item4, "Dee Nguyen", CareTeamRole.Bhc)],
            [], [new($"p-{n}", "Alma Reyes", "Exam 3")]);
        (await http.PutAsJsonAsync($"api/dev/teams/{team.Item1}", request, HuddleJson.Options)).EnsureSuccessStatusCode();
        return team;
    }

    private static RequestHandoff Urgent(string teamId) =>
        new(teamId, $"p-{teamId[8..]}", "Exam 3", new HandoffTarget(Role: CareTeamRole.Bhc), HandoffPriority.Urgent, new Sbar("PHQ-9 of 18 today"));

    [Fact]
    public async Task The_available_bhc_is_pinged_the_one_on_do_not_disturb_is_not_and_the_pcp_sees_the_accept()
    {
        var (teamId, pcpId, bhc1Id, bhc2Id) = await CreateTeamAsync();
        await using var pcp = await Clinician.ConnectAsync(app, pcpId);
        await using var bhc1 = await Clinician.ConnectAsync(app, bhc1Id);
        await using var bhc2 = await Clinician.ConnectAsync(app, bhc2Id);
        var dnd = await bhc2.Hub.InvokeAsync<Result<PresenceView>>(nameof(HuddleHub.SetPresence), PresenceStatus.DoNotDisturb);
        Assert.Equal(PresenceStatus.DoNotDisturb, dnd.Value!.Status);

        var requested = await pcp.Hub.InvokeAsync<Result<HandoffSummary>>(nameof(HuddleHub.RequestHandoff), Urgent(teamId));
        Assert.True(requested.Ok, requested.Error?.Message);
        var handoffId = requested.Value!.HandoffId;

        var ping = await bhc1.NextAsync("BHC1's ping");
        Assert.Equal((true, handoffId, "Urgent warm handoff — Exam 3 — open Huddle"), (ping.Ping, ping.Item!.HandoffId, ping.Notice));
        Assert.Equal((HandoffStatus.Requested, "pinged"), (ping.Item.Status, ping.Item.BusinessStatus));
        Assert.Equal(handoffId, (await pcp.NextAsync("the PCP's copy of the request")).Item!.HandoffId);

        var accepted = await bhc1.AcceptAsync(handoffId, 3, "op-1");
        Assert.True(accepted.Ok, accepted.Error?.Message);
        var seen = await pcp.NextAsync("the PCP to see the accept");
        Assert.Equal((HandoffStatus.Accepted, bhc1Id, "ETA 3 min", false), (seen.Item!.Status, seen.Item.AcceptedBy, seen.Item.BusinessStatus, seen.Ping));

        // BHC2 was never pinged: nothing on its connection, and nothing in its own inbox.
        Assert.False(bhc2.HasReceivedAny);
        var inbox = await bhc2.Hub.InvokeAsync<Result<FeedReply<InboxSnapshot, InboxChange>>>(nameof(HuddleHub.ResumeInbox), 0L, 0L);
        Assert.True(inbox.Ok, inbox.Error?.Message);
        Assert.Empty(inbox.Value!.Changes);
        Assert.Empty(inbox.Value.Snapshot?.Items ?? []);

        // The details load on open, for those involved.
        var details = await bhc1.Hub.InvokeAsync<Result<Handoff>>(nameof(HuddleHub.OpenHandoff), handoffId);
        Assert.Equal("PHQ-9 of 18 today", details.Value!.Reason.Situation);
        var refused = await bhc2.Hub.InvokeAsync<Result<Handoff>>(nameof(HuddleHub.OpenHandoff), "h-unknown");
        Assert.Equal(ErrorCodes.NotFound, refused.Error?.Code);
    }

    [Fact]
    public async Task A_ping_comes_as_a_hint_and_as_the_inboxs_numbered_change_of_the_same_version()
    {
        var (teamId, pcpId, bhc1Id, _) = await CreateTeamAsync();
        await using var pcp = await Clinician.ConnectAsync(app, pcpId);
        await using var bhc1 = await Clinician.ConnectAsync(app, bhc1Id);
        var requested = await pcp.Hub.InvokeAsync<Result<HandoffSummary>>(nameof(HuddleHub.RequestHandoff), Urgent(teamId));
        Assert.True(requested.Ok, requested.Error?.Message);

        var hint = await bhc1.NextHintAsync("the hint");
        Assert.Equal((true, true, 0L, requested.Value!.HandoffId), (hint.Hint, hint.Ping, hint.Seq, hint.Item!.HandoffId));
        Assert.Equal("Urgent warm handoff — Exam 3 — open Huddle", hint.Notice);
        var numbered = await bhc1.NextAsync("the numbered change");
        Assert.Equal((false, true, 1L), (numbered.Hint, numbered.Ping, numbered.Seq));
        Assert.Equal((hint.Item.HandoffId, hint.Item.Version), (numbered.Item!.HandoffId, numbered.Item.Version));

        // Two events for the one ping, whichever came first (with in-memory storage the inbox's write is as
        // quick as the hosts' read; on real storage the hint leads by an inbox write; see HandoffGrainTests).
        Assert.Equal(2, bhc1.Arrivals.Count);
    }

    [Fact]
    public async Task Preparing_a_request_names_the_handoff_it_will_create_and_creates_nothing()
    {
        var (teamId, pcpId, _, _) = await CreateTeamAsync();
        await using var pcp = await Clinician.ConnectAsync(app, pcpId);
        var prepared = await pcp.Hub.InvokeAsync<Result<string>>(nameof(HuddleHub.PrepareHandoff), "form-1");
        Assert.True(prepared.Ok, prepared.Error?.Message);
        Assert.Equal(ErrorCodes.NotFound, (await pcp.Hub.InvokeAsync<Result<Handoff>>(nameof(HuddleHub.OpenHandoff), prepared.Value)).Error?.Code);

        var requested = await pcp.Hub.InvokeAsync<Result<HandoffSummary>>(nameof(HuddleHub.RequestHandoff), Urgent(teamId) with { OpId = "form-1" });
        Assert.Equal(prepared.Value, requested.Value!.HandoffId);

        var refused = await pcp.Hub.InvokeAsync<Result<string>>(nameof(HuddleHub.PrepareHandoff), "not an id!");
        Assert.Equal(ErrorCodes.ValidationFailed, refused.Error?.Code);
    }

    [Fact]
    public async Task Of_two_consultants_accepting_at_once_exactly_one_wins_and_the_other_is_told_who_has_it()
    {
        var (teamId, pcpId, bhc1Id, bhc2Id) = await CreateTeamAsync();
        using (var http = await app.HttpAsAsync(pcpId))
        {
            (await http.PutAsJsonAsync($"api/teams/{teamId}/handoff-policy", EscalationPolicy.Default with { PingAllAtOnce = true }, HuddleJson.Options)).EnsureSuccessStatusCode();
        }

        await using var pcp = await Clinician.ConnectAsync(app, pcpId);
        await using var bhc1 = await Clinician.ConnectAsync(app, bhc1Id);
        await using var bhc2 = await Clinician.ConnectAsync(app, bhc2Id);
        var handoffId = (await pcp.Hub.InvokeAsync<Result<HandoffSummary>>(nameof(HuddleHub.RequestHandoff), Urgent(teamId))).Value!.HandoffId;
        Assert.True((await bhc1.NextAsync("BHC1's ping")).Ping);
        Assert.True((await bhc2.NextAsync("BHC2's ping")).Ping);

        var results = await Task.WhenAll(bhc1.AcceptAsync(handoffId, 2), bhc2.AcceptAsync(handoffId, 4));
        var winner = Assert.Single(results, r => r.Ok).Value!.AcceptedBy!;
        var loser = Assert.Single(results, r => !r.Ok).Error!;
        Assert.Equal(HandoffErrors.AlreadyAccepted, loser.Code);
        Assert.Contains(winner, loser.Message, StringComparison.Ordinal);
        Assert.Contains(winner, new[] { bhc1Id, bhc2Id });
    }
}
