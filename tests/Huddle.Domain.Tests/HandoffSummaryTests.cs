using System.Collections.Immutable;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Handoffs;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using static Huddle.Domain.Tests.HandoffFixture;

namespace Huddle.Domain.Tests;

/// <summary>What inboxes and walls carry of a handoff: its decliners too, so a decline survives a reload.</summary>
public sealed class HandoffSummaryTests
{
    private readonly HandoffFixture _f = new();

    [Fact]
    public void The_summary_names_who_declined_and_nothing_of_the_patient()
    {
        _f.Policy = _f.Policy with { PingAllAtOnce = true };
        var (handoff, _) = _f.Start();
        Assert.Empty(handoff.Summary().Declined);

        var declined = _f.Apply(handoff, Bhc2, new DeclineHandoff("With a patient"));
        var summary = declined.Summary();

        Assert.Equal([Bhc2], summary.Declined);
        Assert.True(summary.HasDeclined(Bhc2));
        Assert.False(summary.HasDeclined(Bhc1));
        Assert.False(summary.HasDeclined(null));
        Assert.Equal(HandoffStatus.Requested, summary.Status);
    }

    [Fact]
    public void A_summary_stored_before_decliners_existed_reads_as_declined_by_nobody()
    {
        // What the serializer hands back for a summary written without field 12: a default array.
        var old = Summary(default);
        Assert.False(old.Declined.IsDefault);
        Assert.Empty(old.Declined);
        Assert.False(old.HasDeclined(Bhc1));
    }

    [Fact]
    public void Decliners_survive_the_grain_serializer()
    {
        using var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer>();

        var copy = serializer.Deserialize<HandoffSummary>(serializer.SerializeToArray(Summary([Bhc1, Bhc3])))!;
        var none = serializer.Deserialize<HandoffSummary>(serializer.SerializeToArray(Summary(default)))!;

        Assert.Equal([Bhc1, Bhc3], copy.Declined);
        Assert.Equal(7, copy.Version);
        Assert.Empty(none.Declined);
    }

    private static HandoffSummary Summary(ImmutableArray<string> declined) =>
        new("h-1", Team.TeamId, "Exam 3", HandoffPriority.Urgent, HandoffStatus.Requested, "pinged", Pcp, null, null, null,
            new DateTimeOffset(2026, 11, 24, 14, 0, 0, TimeSpan.Zero), 7, declined);
}
