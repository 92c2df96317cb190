using System.Collections.Immutable;
using Huddle.Contracts.Handoffs;
using Huddle.Web.Handoffs;

namespace Huddle.Web.Tests.Handoffs;

/// <summary>Whom a requested handoff waits for, as the requester and the team read it (<see cref="HandoffWords.Status(HandoffSummary, string, Func{string?, string}, DateTimeOffset, bool)"/>).</summary>
public sealed class HandoffWaitingWordsTests
{
    private static readonly Dictionary<string, string> Names = new(StringComparer.Ordinal)
    {
        ["u-okafor"] = "Sam Okafor", ["u-diaz"] = "M. Diaz", ["u-lee"] = "J. Lee", ["u-park"] = "C. Park", ["u-ng"] = "B. Ng",
    };

    private static string Said(string[] notified, string[] declined, string? businessStatus = null, string viewer = "u-pcp", bool viewerPinged = false) =>
        HandoffWords.Status(
            new HandoffSummary("h-1", "team-maple", "Exam 3", HandoffPriority.Urgent, HandoffStatus.Requested, businessStatus, "u-pcp", null, null, null,
                DateTimeOffset.UnixEpoch, 2, [.. declined]) { Notified = [.. notified] },
            viewer, id => id is null ? "" : id == viewer ? "you" : Names.GetValueOrDefault(id, "a colleague"), DateTimeOffset.UnixEpoch, viewerPinged);

    [Fact]
    public void The_requester_is_told_whom_it_waits_for_less_those_who_declined()
    {
        Assert.Equal("Waiting for Sam Okafor", Said(["u-okafor"], []));
        Assert.Equal("Waiting for Sam Okafor or M. Diaz", Said(["u-okafor", "u-diaz"], []));
        Assert.Equal("Waiting for Sam Okafor, M. Diaz or J. Lee", Said(["u-okafor", "u-diaz", "u-lee"], []));
        Assert.Equal("Waiting for Sam Okafor, M. Diaz or 3 others", Said(["u-okafor", "u-diaz", "u-lee", "u-park", "u-ng"], []));
        Assert.Equal("Waiting for M. Diaz — escalated to backup 1", Said(["u-okafor", "u-diaz"], ["u-okafor"], "escalated to backup 1"));
    }

    [Fact]
    public void Without_the_names_it_says_what_it_said_before()
    {
        // A summary stored before it carried who was pinged, or a room display's copy (which never does).
        Assert.Equal("Waiting for an answer", Said([], []));
        Assert.Equal("Waiting for an answer", Said(["u-okafor"], ["u-okafor"]));
    }

    [Fact]
    public void Whoever_was_pinged_is_asked_in_person()
    {
        Assert.Equal("Waiting for you to answer", Said(["u-okafor"], [], viewer: "u-okafor", viewerPinged: true));
        Assert.Equal("Waiting for others to answer", Said(["u-okafor", "u-diaz"], ["u-okafor"], viewer: "u-okafor", viewerPinged: true));
    }
}

/// <summary>A handoff's history in words (<see cref="HandoffWords.Step(HandoffEvent, Func{string?, string})"/>).</summary>
public sealed class HandoffStepWordsTests
{
    private static string Said(string action, string? detail, params string[] users) =>
        HandoffWords.Step(new HandoffEvent(DateTimeOffset.UnixEpoch, "system", action, [.. users], detail), id => id switch { "u-okafor" => "Sam Okafor", "u-diaz" => "M. Diaz", _ => "a colleague" });

    [Fact]
    public void Each_step_says_what_happened_and_which_step_once()
    {
        // The first ping is the request's own target: no step name.
        Assert.Equal("Huddle pinged Sam Okafor", Said(HandoffActions.Pinged, EscalationSteps.TargetsDetail, "u-okafor"));
        Assert.Equal("Huddle escalated to M. Diaz (backup 1)", Said(HandoffActions.Escalated, "backup 1", "u-diaz"));
        // A skipped step is named in the sentence, not again in brackets ("… (nobody new to ping) (backup 1)").
        Assert.Equal("Huddle skipped backup 1: nobody new to ping", Said(HandoffActions.Skipped, "backup 1"));
        Assert.Equal("Huddle skipped a step: nobody new to ping", Said(HandoffActions.Skipped, EscalationSteps.TargetsDetail));
    }
}
