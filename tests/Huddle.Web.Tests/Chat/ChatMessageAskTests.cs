using Bunit;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Chat;
using Huddle.Web.Chat;

namespace Huddle.Web.Tests.Chat;

/// <summary>A message to a role asking for acknowledgement, as a screen shows it once its role reached a second holder.</summary>
public sealed class ChatMessageAskTests : IAsyncDisposable
{
    private static readonly RoleOnTeam Bhc = new(CareTeamRole.Bhc, "team-maple");
    private readonly BunitContext _ctx = MudBunit.CreateContext();

    private static readonly Dictionary<string, string> Names = new() { ["u-bhc1"] = "B. One", ["u-bhc2"] = "B. Two", ["u-pcp"] = "Dr. P" };

    /// <summary>Sent to the BHC on duty (B. One), then, at a reminder, B. Two added to the role (the entry a screen folds in).</summary>
    private static ThreadMessage Rerouted()
    {
        var ask = new MessageAsk(true, [], [], Bhc, [new RoleReach(Bhc, ["u-bhc1"])], ["u-bhc1"]);
        var added = new MessageAsk(false, [], [], null, [new RoleReach(Bhc, ["u-bhc2"])], ["u-bhc2"]);
        return new ThreadMessage("tm.maple", 4, "u-pcp", "m-1", "Safety plan?", MessagePriority.Urgent, DateTimeOffset.UnixEpoch, Ask: AckTally.Merge(ask, added));
    }

    private IRenderedComponent<ChatMessageAsk> Render(string viewer, params string[] acked) => _ctx.Render<ChatMessageAsk>(p => p
        .Add(x => x.Message, Rerouted())
        .Add(x => x.Acks, [.. acked.Select((u, i) => new ThreadMessage("tm.maple", 5 + i, u, $"ack-{i}", "", MessagePriority.Normal, DateTimeOffset.UnixEpoch, ThreadEntryKind.Acknowledge, 4))])
        .Add(x => x.ViewerId, viewer)
        .Add(x => x.NameOf, id => Names[id])
        .Add(x => x.OnAcknowledge, _ => Task.FromResult<string?>(null)));

    [Fact]
    public void The_role_counts_once_both_holders_may_answer_and_either_answer_closes_it()
    {
        var waiting = Render("u-bhc2");
        Assert.Equal("To the BHC on duty: B. One, B. Two", waiting.Find("[data-testid=chat-to]").TextContent);
        // To a holder asked: "you" first (beside their button), the other holder after.
        Assert.Equal("Acknowledged by 0 of 1 · waiting for you, B. One", waiting.Find("[data-testid=chat-ack-status]").TextContent);
        Assert.NotNull(waiting.Find("[data-testid=chat-ack]"));
        // To the sender: everyone waited for, by name.
        Assert.Equal("Acknowledged by 0 of 1 · waiting: B. One, B. Two", Render("u-pcp").Find("[data-testid=chat-ack-status]").TextContent);

        var answered = Render("u-pcp", "u-bhc2");
        Assert.Equal("Acknowledged by 1 of 1", answered.Find("[data-testid=chat-ack-status]").TextContent);
        Assert.Equal(("1", "1"), (answered.Find("[data-testid=chat-ack-status]").GetAttribute("data-acked"), answered.Find("[data-testid=chat-ack-status]").GetAttribute("data-asked")));
    }

    public ValueTask DisposeAsync() => _ctx.DisposeAsync();
}
