using Bunit;
using Huddle.Contracts.Chat;
using Huddle.Web.Chat;

namespace Huddle.Web.Tests.Chat;

/// <summary>Under one's own message, who it reached and who read it, listed as the sender looks for them.</summary>
public sealed class MessageReceiptTests : IAsyncDisposable
{
    private static readonly DateTimeOffset T = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);
    private readonly BunitContext _ctx = MudBunit.CreateContext();

    [Fact]
    public void The_list_names_those_who_read_it_first_soonest_first_then_those_it_reached_then_the_rest()
    {
        var read = new[] { new MemberCursor("u-c", 4, T, 4, T.AddMinutes(5), 1), new MemberCursor("u-d", 4, T, 4, T.AddMinutes(1), 1) };
        var delivered = new[] { new MemberCursor("u-b", 4, T, 0, null, 0) }.Concat(read).ToArray();
        var names = new Dictionary<string, string> { ["u-a"] = "Ann", ["u-b"] = "Ben", ["u-c"] = "Cy", ["u-d"] = "Dee", ["u-e"] = "Abe" };
        var cut = _ctx.Render<MessageReceipt>(p => p
            .Add(x => x.Message, new ThreadMessage("tm.maple", 4, "u-me", "m-4", "Huddle at 8:15", MessagePriority.Normal, T))
            .Add(x => x.Receipts, new MessageReceipts(["u-a", "u-b", "u-c", "u-d", "u-e"], delivered, read))
            .Add(x => x.Names, names));

        Assert.Equal("Read by 2 of 5", cut.Find("[data-testid=chat-receipt-toggle]").TextContent);
        cut.Find("[data-testid=chat-receipt-toggle]").Click();
        Assert.Equal(["Dee", "Cy", "Ben", "Abe", "Ann"],
            cut.FindAll("[data-testid=chat-receipt-details] li").Select(li => li.TextContent.Split(':')[0]));
    }

    public ValueTask DisposeAsync() => _ctx.DisposeAsync();
}
