using Bunit;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Chat;
using Huddle.Testing;
using Huddle.Web.Chat;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Huddle.Web.Tests.Chat;

/// <summary>The mention picker of a patient on two care teams: each team's clinicians once, each team's roles by team name, and a role picked addresses its own team.</summary>
public sealed class ChatMentionPickerTests : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly BunitContext _ctx = MudBunit.CreateContext();

    private static CareTeamProfile Team(string id, string name, params TeamMember[] members) => new(id, name, CareTeamStatus.Active, [.. members], [], "UTC");

    [Fact]
    public async Task On_a_patient_of_two_teams_each_teams_role_is_offered_by_name_and_a_pick_addresses_that_team()
    {
        var maple = Team("team-maple", "Maple", new("u-pcp", "Dr. Pat Carter", CareTeamRole.Pcp), new("u-bea", "Bea Holt", CareTeamRole.Bhc));
        var oak = Team("team-oak", "Oak", new("u-omar", "Omar Diaz", CareTeamRole.Bhc), new("u-bea", "Bea Holt", CareTeamRole.Bhc));
        var popovers = _ctx.Render<MudPopoverProvider>();
        var picker = _ctx.Render<ChatMentionPicker>(p => p.Add(x => x.Teams, [maple, oak]).Add(x => x.UserId, "u-pcp"));

        // Everyone but the writer, each once (Bea is on both teams); then each team's roles, named by team.
        await picker.Find("input").FocusAsync(new());
        await picker.Find("input").InputAsync(new ChangeEventArgs { Value = "o" });
        popovers.WaitForAssertion(
            () => Assert.Equal(["Bea Holt", "Omar Diaz", "BHC on duty — Maple", "BHC on duty — Oak"], Offered(popovers)),
            Timeout);

        await picker.Find("input").InputAsync(new ChangeEventArgs { Value = "Oak" });
        popovers.WaitForAssertion(() => Assert.Equal(["BHC on duty — Oak"], Offered(popovers)), Timeout);
        await popovers.Find(".mud-popover-open .mud-list-item").ClickAsync(new());
        picker.WaitForAssertion(() => Assert.Equal("BHC on duty — Oak", picker.Find("[data-testid=chat-mention-chip]").TextContent.Trim()), Timeout);

        // The send names the Oak team's BHC role: the thread routes it on that team, not the team shown.
        var message = picker.Instance.Apply(new SendMessage("c-1", "Can you see her today?"));
        Assert.Equal(new RoleOnTeam(CareTeamRole.Bhc, "team-oak"), message.ToRole);
    }

    [Fact]
    public async Task On_one_team_roles_read_as_the_role_on_duty_and_address_that_team()
    {
        var maple = Team("team-maple", "Maple", new("u-pcp", "Dr. Pat Carter", CareTeamRole.Pcp), new("u-bea", "Bea Holt", CareTeamRole.Bhc));
        var popovers = _ctx.Render<MudPopoverProvider>();
        var picker = _ctx.Render<ChatMentionPicker>(p => p.Add(x => x.Teams, [maple]).Add(x => x.UserId, "u-pcp"));
        await picker.Find("input").FocusAsync(new());
        await picker.Find("input").InputAsync(new ChangeEventArgs { Value = "BHC" });
        popovers.WaitForAssertion(() => Assert.Equal(["BHC on duty"], Offered(popovers)), Timeout);
        await popovers.Find(".mud-popover-open .mud-list-item").ClickAsync(new());
        picker.WaitForAssertion(() => Assert.Single(picker.FindAll("[data-testid=chat-mention-chip]")), Timeout);
        Assert.Equal(new RoleOnTeam(CareTeamRole.Bhc, "team-maple"), picker.Instance.Apply(new SendMessage("c-1", "text")).ToRole);
    }

    private static List<string> Offered(IRenderedComponent<MudPopoverProvider> popovers) =>
        [.. popovers.FindAll(".mud-popover-open .mud-list-item").Select(e => e.TextContent.Trim())];

    public ValueTask DisposeAsync() => _ctx.DisposeAsync();
}
