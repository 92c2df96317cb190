using Huddle.Storage.Tests.Jepsen;

namespace Huddle.Storage.Tests;

/// <summary>
/// The set check's checker on hand-made histories: it passes a history that keeps the contract and
/// names each way one can break it, so a green set check means the copies were right, not that the
/// checker looked away.
/// </summary>
public sealed class ChatCheckerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);

    /// <summary>Three messages from two devices of one clinician and one of another, each acknowledged, one resent; two devices in step.</summary>
    private sealed class History
    {
        public List<Outgoing> Tried { get; } =
        [
            new("a-phone", "u-a", "a-0", "first", "normal", 10),
            new("b-laptop", "u-b", "b-0", "second", "urgent", 30),
            new("a-laptop", "u-a", "a2-0", "third", "normal", 50),
        ];

        public List<SendReply> Replies { get; } =
        [
            new("a-phone", "u-a", "a-0", 1, T0, ReplyKind.First, 20),
            new("b-laptop", "u-b", "b-0", 2, T0.AddSeconds(1), ReplyKind.First, 40),
            new("a-laptop", "u-a", "a2-0", 3, T0.AddSeconds(2), ReplyKind.First, 60),
            new("a-laptop", "u-a", "a-0", 1, T0, ReplyKind.Resend, 70),
        ];

        public List<LoggedMessage> Log { get; } =
        [
            new(1, "u-a", "a-0", "first", "normal", T0),
            new(2, "u-b", "b-0", "second", "urgent", T0.AddSeconds(1)),
            new(3, "u-a", "a2-0", "third", "normal", T0.AddSeconds(2)),
        ];

        public Dictionary<string, IReadOnlyList<LoggedMessage>> Copies { get; } = [];

        public IReadOnlyList<string> Check()
        {
            foreach (var device in new[] { "a-phone", "b-laptop" })
            {
                Copies.TryAdd(device, Log);
            }

            return ChatChecker.Check(Log, Copies, Tried, Replies);
        }
    }

    [Fact]
    public void A_history_that_keeps_the_contract_passes() => Assert.Empty(new History().Check());

    [Fact]
    public void A_message_stored_twice_is_named()
    {
        var history = new History();
        history.Log.Add(history.Log[0] with { Seq = 4 });
        Assert.Contains(history.Check(), p => p.Contains("u-a/a-0 is stored 2 times", StringComparison.Ordinal));
    }

    [Fact]
    public void A_gap_in_the_log_is_named()
    {
        var history = new History();
        history.Log[2] = history.Log[2] with { Seq = 4 };
        Assert.Contains(history.Check(), p => p.Contains("not gap-free", StringComparison.Ordinal));
    }

    [Fact]
    public void A_resend_told_another_seq_is_named()
    {
        var history = new History();
        history.Replies[3] = history.Replies[3] with { Seq = 3 };
        Assert.Contains(history.Check(), p => p.Contains("a-laptop was told #3", StringComparison.Ordinal));
    }

    [Fact]
    public void A_reply_lost_then_answered_differently_is_named()
    {
        var history = new History();
        history.Replies.Add(new("b-laptop", "u-b", "b-0", 2, T0.AddSeconds(5), ReplyKind.Discarded, 35));
        Assert.Contains(history.Check(), p => p.Contains("u-b/b-0", StringComparison.Ordinal) && p.Contains("Discarded", StringComparison.Ordinal));
    }

    [Fact]
    public void An_acknowledged_message_missing_from_the_log_is_named()
    {
        var history = new History();
        history.Log.RemoveAt(2);
        Assert.Contains(history.Check(), p => p.Contains("acknowledged as #3, but #3 is missing", StringComparison.Ordinal));
    }

    [Fact]
    public void A_message_never_acknowledged_is_named()
    {
        var history = new History();
        history.Replies.RemoveAll(r => r.ClientMessageId == "b-0");
        history.Replies.Add(new("b-laptop", "u-b", "b-0", 2, T0.AddSeconds(1), ReplyKind.Discarded, 40));
        Assert.Contains(history.Check(), p => p.Contains("u-b/b-0 from b-laptop was never acknowledged", StringComparison.Ordinal));
    }

    [Fact]
    public void A_message_stored_with_other_text_or_never_sent_is_named()
    {
        var history = new History();
        history.Log[1] = history.Log[1] with { Text = "changed" };
        history.Log.Add(new(4, "u-c", "c-0", "from nowhere", "normal", T0.AddSeconds(3)));
        var problems = history.Check();
        Assert.Contains(problems, p => p.Contains("#2 u-b/b-0 is stored with other content", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("#4 u-c/c-0 was never sent", StringComparison.Ordinal));
    }

    [Fact]
    public void A_message_sent_after_another_was_acknowledged_but_numbered_before_it_is_named()
    {
        var history = new History();
        // b-0 is first sent at 30, after a-0's acknowledgement at 20, yet gets #1 and a-0 #2.
        history.Log[0] = history.Log[0] with { Seq = 2 };
        history.Log[1] = history.Log[1] with { Seq = 1 };
        history.Log.Sort((x, y) => x.Seq.CompareTo(y.Seq));
        for (var i = 0; i < history.Replies.Count; i++)
        {
            history.Replies[i] = history.Replies[i] with { Seq = history.Replies[i].ClientMessageId switch { "a-0" => 2, "b-0" => 1, _ => history.Replies[i].Seq } };
        }

        Assert.Contains(history.Check(), p => p.Contains("u-b/b-0 was first sent after u-a/a-0 (#2) was acknowledged, yet got #1", StringComparison.Ordinal));
    }

    [Fact]
    public void Unread_is_the_messages_by_others_after_the_furthest_read_of_any_device_or_own_message()
    {
        var log = new History().Log;
        // Nobody reported a read: u-b's own #2 moves its read cursor past u-a's #1, so #3 is unread;
        // u-a's own #3 moves its cursor past u-b's #2.
        Assert.Equal((1L, 2L), ChatChecker.UnreadTruth(log, [], "u-b"));
        Assert.Equal((0L, 3L), ChatChecker.UnreadTruth(log, [], "u-a"));
        // Two devices of u-b: the furthest report counts, not the last.
        ReadReport[] reads = [new("b-laptop", "u-b", 1, 1, 10), new("b-phone", "u-b", 3, 3, 20), new("b-laptop", "u-b", 2, 3, 30)];
        Assert.Equal((0L, 3L), ChatChecker.UnreadTruth(log, reads, "u-b"));
        Assert.Equal((1L, 2L), ChatChecker.UnreadTruth(log, reads.Take(1).ToList(), "u-b"));
    }

    [Fact]
    public void A_device_showing_another_unread_count_than_the_truth_is_named()
    {
        var log = new History().Log;
        ReadReport[] reads = [new("b-phone", "u-b", 1, 1, 10)];
        var problems = ChatChecker.CheckUnread(log, reads, new Dictionary<string, (string, UnreadView)>
        {
            ["b-phone"] = ("u-b", new UnreadView(7, 1, 1, 1)),
            ["b-laptop"] = ("u-b", new UnreadView(6, 1, 2, 2)),
            ["a-phone"] = ("u-a", new UnreadView(3, 1, 0, 0)),
        });
        Assert.Equal(["b-laptop shows 2 unread (2 in all) at #6 of its unread feed; u-b has 1 (read up to #2 of 3)"], problems);
    }

    [Fact]
    public void Receipts_that_do_not_show_how_far_a_member_read_are_named()
    {
        var problems = ChatChecker.CheckReceipts(
            new Dictionary<string, long> { ["u-a"] = 3, ["u-b"] = 2, ["u-c"] = 0, ["u-d"] = 5 },
            new Dictionary<string, (long, long)> { ["u-a"] = (3, 3), ["u-b"] = (2, 1), ["u-d"] = (4, 5) });
        Assert.Equal(["the receipts show u-b delivered #2, read #1; they read up to #2", "the receipts show u-d delivered #4, read #5; they read up to #5"], problems);
    }

    [Fact]
    public void A_device_behind_or_holding_another_message_is_named()
    {
        var history = new History();
        history.Copies["a-phone"] = history.Log.Take(2).ToList();
        history.Copies["b-laptop"] = [history.Log[0], history.Log[2] with { Seq = 2 }, history.Log[2]];
        var problems = history.Check();
        Assert.Contains(problems, p => p.StartsWith("a-phone's copy differs from the log at position 3: nothing", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("b-laptop's copy differs from the log at position 2", StringComparison.Ordinal));
    }
}
