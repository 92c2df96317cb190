using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Handoffs;
using Huddle.Contracts.Presence;
using Huddle.Grains.Handoffs;
using Microsoft.Extensions.Time.Testing;

namespace Huddle.Domain.Tests;

/// <summary>A team with a PCP, three BHCs, a nurse as backup, and a clock that tests move.</summary>
internal sealed class HandoffFixture
{
    public const string Pcp = "u-pcp";
    public const string Bhc1 = "u-bhc1";
    public const string Bhc2 = "u-bhc2";
    public const string Bhc3 = "u-bhc3";
    public const string Nurse = "u-nurse";

    public static readonly CareTeamProfile Team = new("team-h", "Handoff team", CareTeamStatus.Active,
    [
        new TeamMember(Pcp, "Dr. P", CareTeamRole.Pcp),
        new TeamMember(Bhc1, "B. One", CareTeamRole.Bhc),
        new TeamMember(Bhc2, "B. Two", CareTeamRole.Bhc),
        new TeamMember(Bhc3, "B. Three", CareTeamRole.Bhc),
        new TeamMember(Nurse, "N. Urse", CareTeamRole.Nurse),
    ], [], "UTC");

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 24, 14, 0, 0, TimeSpan.Zero));

    public DateTimeOffset Now => Time.GetUtcNow();

    public EscalationPolicy Policy { get; set; } = EscalationPolicy.Default;

    /// <summary>Presence by user; everyone not listed is available since the start.</summary>
    public Dictionary<string, (PresenceStatus Status, DateTimeOffset Since)> Presence { get; } = [];

    /// <summary>The members with a device that takes pushed pings.</summary>
    public HashSet<string> PushDevices { get; } = [];

    public IReadOnlyCollection<RosterEntry> Roster() =>
    [
        .. Team.Members.Select(m => Presence.TryGetValue(m.UserId, out var p)
            ? new RosterEntry(m.UserId, m.Role, p.Status, p.Since, PushDevices.Contains(m.UserId))
            : new RosterEntry(m.UserId, m.Role, PresenceStatus.Available, new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero))),
    ];

    public static RequestHandoff Request(HandoffTarget? target = null, HandoffPriority priority = HandoffPriority.Urgent) =>
        new(Team.TeamId, "p-1", "Exam 3", target ?? new HandoffTarget(Role: CareTeamRole.Bhc), priority,
            new Sbar("PHQ-9 of 18 today", "Two prior episodes", "Moderately severe, no SI", "Same-visit BHC intro"));

    /// <summary>A requested handoff, routed: its first ping sent.</summary>
    public (Handoff Handoff, IReadOnlyList<string> Pinged) Start(RequestHandoff? request = null)
    {
        var created = HandoffRules.Request("h-1", Pcp, request ?? Request(), Team, Now);
        Assert.True(created.Ok, created.Error?.Message);
        var (handoff, pinged) = Escalation.Advance(created.Value!, Policy, Roster(), Now);
        return (handoff, pinged);
    }

    public (Handoff Handoff, IReadOnlyList<string> Pinged) Advance(Handoff handoff) => Escalation.Advance(handoff, Policy, Roster(), Now);

    public Handoff Apply(Handoff handoff, string actor, HandoffCommand command)
    {
        var result = HandoffRules.Apply(handoff, actor, command, Now);
        Assert.True(result.Ok, $"{command.Op}: {result.Error?.Code} {result.Error?.Message}");
        return result.Value!;
    }
}
