using System.Collections.Immutable;
using Huddle.Contracts.Handoffs;
using Huddle.Grains.Handoffs;
using static Huddle.Domain.Tests.HandoffFixture;

namespace Huddle.Domain.Tests;

/// <summary>
/// The list an inbox and a desk hold: newest version wins, open items kept, the newest closed ones up
/// to a limit — and a delivery that would leave the list as it is changes nothing, so the owner writes
/// nothing and publishes no change its snapshot does not hold.
/// </summary>
public sealed class HandoffListTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_late_resend_of_a_closed_handoff_the_list_already_let_go_changes_nothing()
    {
        // h-0 closed first; then 20 newer handoffs closed, so an inbox keeping 20 closed let h-0 go.
        var items = ImmutableArray<HandoffSummary>.Empty;
        for (var i = 0; i <= 20; i++)
        {
            items = HandoffList.Upsert(items, Item($"h-{i}", i, HandoffStatus.Completed, version: 4), keepClosed: 20)!.Value;
        }

        Assert.Equal(20, items.Length);
        Assert.DoesNotContain(items, i => i.HandoffId == "h-0");

        // The outbox sends h-0 as it stands once more (its acknowledgement was not written before a crash).
        Assert.Null(HandoffList.Upsert(items, Item("h-0", 0, HandoffStatus.Completed, version: 4), keepClosed: 20));
        // A desk keeps no closed items: a closed handoff it never held changes nothing either.
        Assert.Null(HandoffList.Upsert([], Item("h-9", 9, HandoffStatus.Cancelled, version: 2), keepClosed: 0));
    }

    [Fact]
    public void A_closed_handoff_the_list_never_held_is_taken_when_it_is_among_the_newest()
    {
        var items = HandoffList.Upsert([], Item("h-1", 1, HandoffStatus.Requested, version: 1), keepClosed: 20)!.Value;
        // Requested and cancelled before this inbox heard of it: it still shows, as cancelled.
        var next = HandoffList.Upsert(items, Item("h-2", 2, HandoffStatus.Cancelled, version: 2), keepClosed: 20);

        Assert.Equal(["h-2", "h-1"], next!.Value.Select(i => i.HandoffId));
        // A desk takes the close of a handoff it holds: the item leaves it.
        Assert.Empty(HandoffList.Upsert(items, Item("h-1", 1, HandoffStatus.Completed, version: 2), keepClosed: 0)!.Value);
    }

    [Fact]
    public void An_older_or_equal_version_changes_nothing()
    {
        var items = HandoffList.Upsert([], Item("h-1", 1, HandoffStatus.Accepted, version: 3), keepClosed: 20)!.Value;

        Assert.Null(HandoffList.Upsert(items, Item("h-1", 1, HandoffStatus.Requested, version: 2), keepClosed: 20));
        Assert.Null(HandoffList.Upsert(items, Item("h-1", 1, HandoffStatus.Accepted, version: 3), keepClosed: 20));
    }

    private static HandoffSummary Item(string id, int minute, HandoffStatus status, long version) =>
        new(id, Team.TeamId, "Exam 3", HandoffPriority.Urgent, status, "pinged", Pcp, null, null, null,
            Start.AddMinutes(minute), version, []);
}
