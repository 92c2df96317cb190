using System.Collections.Immutable;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Chat;
using Huddle.Grains.Chat;

namespace Huddle.Domain.Tests;

/// <summary>Who an acknowledgement request waits for: each clinician named once, each role once, answered by any holder.</summary>
public sealed class AckTallyTests
{
    private static readonly RoleOnTeam Bhc = new(CareTeamRole.Bhc, "team-maple");
    private static readonly RoleOnTeam Nurse = new(CareTeamRole.Nurse, "team-maple");
    private static readonly ChatAckOptions Options = new();

    private static ThreadMessage Message(MessageAsk ask) =>
        new("team:team-maple", 7, "u-pcp", "m-1", "Please confirm", MessagePriority.Normal, DateTimeOffset.UnixEpoch, Ask: ask);

    [Fact]
    public void A_request_with_no_role_asks_each_recipient()
    {
        var count = AckTally.Count(["u-a", "u-b"], [], [], ["u-b"]);
        Assert.Equal((1, 2), (count.Acked, count.Asked));
        Assert.Equal(["u-a"], count.Waiting);
    }

    [Fact]
    public void A_role_is_asked_once_and_answered_by_any_holder_it_reached_while_a_named_clinician_must_answer_themselves()
    {
        var ask = new MessageAsk(true, ["u-nurse-named"], [], Bhc, [new RoleReach(Bhc, ["u-bhc1", "u-bhc2"])], ["u-nurse-named", "u-bhc1", "u-bhc2"]);
        var none = AckTally.Count(ask, []);
        Assert.Equal((0, 2), (none.Acked, none.Asked));
        Assert.Equal(["u-nurse-named", "u-bhc1", "u-bhc2"], none.Waiting);

        var bhc2 = AckTally.Count(ask, ["u-bhc2"]);
        Assert.Equal((1, 2), (bhc2.Acked, bhc2.Asked));
        Assert.Equal(["u-nurse-named"], bhc2.Waiting);

        Assert.Empty(AckTally.Count(ask, ["u-bhc1", "u-nurse-named"]).Waiting);
    }

    [Fact]
    public void A_reroute_adds_holders_to_their_role_so_the_new_holders_answer_it_and_the_request_closes()
    {
        var ask = new MessageAsk(true, [], [Nurse], Bhc, [new RoleReach(Bhc, ["u-bhc1"]), new RoleReach(Nurse, ["u-nurse1"])], ["u-bhc1", "u-nurse1"]);
        var request = AckRules.Open(Message(ask), Options);
        Assert.Equal(["u-bhc1", "u-nurse1"], request.Waiting);

        var rerouted = AckRules.Reroute(request, [new RoleReach(Bhc, ["u-bhc2"])]);
        Assert.Equal(["u-bhc1", "u-nurse1", "u-bhc2"], rerouted.Recipients);
        Assert.Equal(["u-bhc1", "u-bhc2"], rerouted.Roles.Single(r => r.Role == Bhc).UserIds);

        var byNewHolder = AckRules.Acknowledge(rerouted, new AckBy("u-bhc2", 9, "ack-1", DateTimeOffset.UnixEpoch));
        Assert.True(byNewHolder.IsOpen);
        Assert.Equal(["u-nurse1"], byNewHolder.Waiting);
        var closed = AckRules.Acknowledge(byNewHolder, new AckBy("u-nurse1", 10, "ack-2", DateTimeOffset.UnixEpoch));
        Assert.False(closed.IsOpen);

        // The screens' view folds the same entry into the message's ask and counts the same.
        var merged = AckTally.Merge(ask, new MessageAsk(false, [], [], null, [new RoleReach(Bhc, ["u-bhc2"])], ["u-bhc2"]));
        Assert.Equal(rerouted.Recipients, merged.Recipients);
        var seen = AckTally.Count(merged, ["u-bhc2"]);
        Assert.Equal((byNewHolder.Count.Acked, byNewHolder.Count.Asked), (seen.Acked, seen.Asked));
        Assert.Equal(byNewHolder.Waiting, seen.Waiting);
    }

    [Fact]
    public void Reroutes_of_two_roles_merged_one_by_one_into_the_message_each_join_their_own_role()
    {
        var ask = new MessageAsk(true, [], [Nurse], Bhc, [new RoleReach(Bhc, ["u-bhc1"]), new RoleReach(Nurse, ["u-nurse1"])], ["u-bhc1", "u-nurse1"]);
        MessageAsk[] entries =
        [
            new(false, [], [], null, [new RoleReach(Bhc, ["u-bhc2"])], ["u-bhc2"]),
            new(false, [], [], null, [new RoleReach(Nurse, ["u-nurse2"])], ["u-nurse2"]),
        ];
        var merged = entries.Aggregate(ask, AckTally.Merge);
        Assert.Equal(["u-bhc1", "u-bhc2"], merged.Reached.Single(r => r.Role == Bhc).UserIds);
        Assert.Equal(["u-nurse1", "u-nurse2"], merged.Reached.Single(r => r.Role == Nurse).UserIds);
        var count = AckTally.Count(merged, ["u-nurse2"]);
        Assert.Equal((1, 2), (count.Acked, count.Asked));
        Assert.Equal(["u-bhc1", "u-bhc2"], count.Waiting);
    }

    [Fact]
    public void A_request_stored_before_roles_were_kept_asks_each_recipient()
    {
        var old = new AckRequest(7, "u-pcp", ["u-bhc1", "u-bhc2"], [], 0, DateTimeOffset.UnixEpoch, false);
        var one = AckRules.Acknowledge(old, new AckBy("u-bhc1", 8, "ack-1", DateTimeOffset.UnixEpoch));
        Assert.Equal(["u-bhc2"], one.Waiting);
        Assert.True(one.IsOpen);
    }

    [Theory]
    [InlineData(6)]
    [InlineData(1)]
    public void After_the_last_reminder_a_role_may_be_routed_once_more_before_the_sender_is_told(int count)
    {
        var options = new ChatAckOptions { AckRenotifyCount = count };
        var ask = new MessageAsk(true, [], [], Bhc, [new RoleReach(Bhc, ["u-bhc1"])], ["u-bhc1"]);
        var request = AckRules.Open(Message(ask), options);
        var at = request.NextAt!.Value;
        for (var round = 1; round <= count; round++)
        {
            Assert.False(AckRules.MayRouteLate(request, options));
            (request, var step) = AckRules.Step(request, options, at);
            Assert.Equal(AckStep.Renotify, step);
            at = request.NextAt!.Value;
        }

        // The step that would tell the sender: a holder reached now is asked, with one more interval.
        Assert.Equal(AckStep.Unanswered, AckRules.Step(request, options, at).Step);
        Assert.True(AckRules.MayRouteLate(request, options));
        var late = AckRules.RouteLate(request, [new RoleReach(Bhc, ["u-bhc2"])], options, at);
        Assert.Equal((count + 1, at + options.AckRenotifyInterval), (late.Renotified, late.NextAt));
        Assert.Equal(["u-bhc1", "u-bhc2"], late.Waiting);

        // Once only: the next due step tells the sender whatever routing would reach.
        Assert.False(AckRules.MayRouteLate(late, options));
        var (closed, last) = AckRules.Step(late, options, late.NextAt!.Value);
        Assert.Equal((AckStep.Unanswered, null), (last, closed.NextAt));
    }

    [Fact]
    public void With_reminders_turned_off_the_sender_is_told_one_interval_after_the_message_with_no_late_routing()
    {
        var options = new ChatAckOptions { AckRenotifyCount = 0 };
        var request = AckRules.Open(Message(new MessageAsk(true, [], [], Bhc, [new RoleReach(Bhc, ["u-bhc1"])], ["u-bhc1"])), options);
        Assert.Equal(AckStep.Unanswered, AckRules.Step(request, options, request.NextAt!.Value).Step);
        Assert.False(AckRules.MayRouteLate(request, options));
    }
}
