using Huddle.Contracts.Audit;
using Huddle.Web.Audit;

namespace Huddle.Web.Tests;

/// <summary>The audit page's lines: each call of one look at a page (served, then live) is one line; nothing else is joined.</summary>
public sealed class AuditRowTests
{
    private static readonly DateTimeOffset T = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    private static AuditRecord R(int second, string client, string connection, string action = "CareTeam.GetBoard", string user = "u-bhc",
        AuditOutcome outcome = AuditOutcome.Allowed, string target = "team-maple") =>
        new(T.AddSeconds(second), user, action, "careteam", target, null, outcome, outcome == AuditOutcome.Allowed ? null : "forbidden", client, connection);

    [Fact]
    public void The_same_call_within_ten_seconds_is_one_line_with_its_count_and_every_connection()
    {
        // Newest first: the live page's two reads, then the served page's one, then the same a minute earlier.
        var rows = AuditRow.Of([R(9, "circuit", "c-1"), R(8, "circuit", "c-1"), R(2, "http", "h-1"), R(-60, "http", "h-0")]);

        Assert.Equal(2, rows.Length);
        Assert.Equal((3, T.AddSeconds(9), T.AddSeconds(2)), (rows[0].Count, rows[0].Newest.At, rows[0].Oldest));
        Assert.Equal([new AuditRow.Via("circuit", "c-1"), new AuditRow.Via("http", "h-1")], rows[0].Vias);
        Assert.Equal((1, "h-0"), (rows[1].Count, rows[1].Newest.Connection));
    }

    [Fact]
    public void A_line_spans_ten_seconds_at_most_and_joins_no_other_person_action_record_or_outcome()
    {
        // 10 s from the line's newest joins; 11 s does not, even one second after the line's oldest.
        Assert.Equal([3, 1], AuditRow.Of([R(20, "circuit", "c"), R(15, "circuit", "c"), R(10, "http", "h"), R(9, "http", "h")]).Select(r => r.Count));
        Assert.Equal([1, 1, 1, 1, 1], AuditRow.Of([
            R(5, "circuit", "c"), R(5, "circuit", "c", user: "u-pcp"), R(5, "circuit", "c", action: "Registry.Episodes"),
            R(5, "circuit", "c", target: "team-harbor"), R(5, "circuit", "c", outcome: AuditOutcome.Denied)]).Select(r => r.Count));
        // Other calls in between (a page reads several records, once served and again live): each call is one
        // line, standing where its newest record is.
        var page = AuditRow.Of([R(4, "circuit", "c"), R(3, "circuit", "c", action: "Feed.Open"), R(2, "http", "h"), R(1, "http", "h", action: "Feed.Open"), R(-30, "http", "h0")]);
        Assert.Equal([("CareTeam.GetBoard", 2, 4), ("Feed.Open", 2, 3), ("CareTeam.GetBoard", 1, -30)], page.Select(r => (r.Newest.Action, r.Count, (int)(r.Newest.At - T).TotalSeconds)));
    }
}
