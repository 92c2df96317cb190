using System.Net.Http.Json;
using Bunit;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Handoffs;
using Huddle.Testing;
using Huddle.Web.Auth;
using Huddle.Web.Handoffs;
using Huddle.Web.Http;

namespace Huddle.Web.Tests.Handoffs;

/// <summary>What the handoff component tests share: an inbox rendered on real grains, and a team with two BHCs pinged at once.</summary>
internal static class HandoffTestKit
{
    /// <summary>A team of a PCP and two BHCs (<c>Sam Okafor</c>, <c>Rae Lind</c>), a room display and one patient, whose role handoffs ping every available BHC at once.</summary>
    public sealed record TwoBhcTeam(string TeamId, string Pcp, string Bhc, string Other, string Display, string PatientId);

    /// <summary>Makes a <see cref="TwoBhcTeam"/>: when one BHC declines, the handoff still waits for the other.</summary>
    public static async Task<TwoBhcTeam> CreateTwoBhcTeamAsync(this HuddleAppFixture app, string prefix)
    {
        var n = Guid.NewGuid().ToString("N")[..8];
        var team = new TwoBhcTeam($"team-{prefix}-{n}", $"u-pcp-{n}", $"u-bhc-{n}", $"u-bhc2-{n}", $"d-room-{n}", $"p-{n}");
        using (var http = app.Http())
        {
            var request = new DevTeamRequest("Two-BHC team",
                [new(team.Pcp, "Dr. Pat Carter", CareTeamRole.Pcp), new(team.Bhc, "Sam Okafor", CareTeamRole.Bhc), new(team.Other, "Rae Lind", CareTeamRole.Bhc)],
                [team.Display], [new(team.PatientId, "Alma Reyes", "Exam 3")]);
            (await http.PutAsJsonAsync($"api/dev/teams/{team.TeamId}", request, HuddleJson.Options)).EnsureSuccessStatusCode();
        }

        using (var http = await app.HttpAsAsync(team.Pcp))
        {
            (await http.PutAsJsonAsync($"api/teams/{team.TeamId}/handoff-policy", EscalationPolicy.Default with { PingAllAtOnce = true }, HuddleJson.Options)).EnsureSuccessStatusCode();
        }

        return team;
    }

    /// <summary>Renders <paramref name="userId"/>'s inbox on a live copy opened as a page would (added to <paramref name="opened"/> for disposal).</summary>
    public static async Task<IRenderedComponent<InboxView>> RenderInboxAsync(this BunitContext ctx, HandoffService handoffs, string userId, ICollection<LiveInbox> opened)
    {
        IRenderedComponent<InboxView>? cut = null;
        var dispatcher = ctx.Renderer.Dispatcher;
        var live = await dispatcher.InvokeAsync(() => LiveInbox.OpenAsync(handoffs, userId,
            work => dispatcher.InvokeAsync(work),
            () =>
            {
                cut?.Render();
                return Task.CompletedTask;
            }));
        opened.Add(live);
        cut = ctx.Render<InboxView>(p => p.Add(x => x.Live, live));
        return cut;
    }
}
