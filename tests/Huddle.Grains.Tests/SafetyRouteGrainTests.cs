using System.Collections.Immutable;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Handoffs;
using Huddle.Contracts.Patients;
using Huddle.Contracts.Presence;
using Huddle.Contracts.Registry;
using Huddle.Contracts.Users;
using Huddle.Testing;

namespace Huddle.Grains.Tests;

/// <summary>
/// Whom a positive item 9 pings on a team without an enrolled care manager to ask (docs/clinical.md,
/// "Safety"), and that the measurement says so: a review found a PHQ-9 entered by a team's only care manager
/// for a patient not enrolled, answered "the care manager was pinged" while the ping was refused (nobody else
/// held the role) and asked again every minute for ever.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SafetyRouteGrainTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static readonly ImmutableArray<int> PositiveItem9 = [2, 2, 1, 2, 1, 2, 1, 1, 1];

    /// <summary>A team of <paramref name="roles"/> (member ids "{team}-{index}") and a patient not enrolled anywhere.</summary>
    private async Task<(string TeamId, string[] Members, string Patient)> TeamAsync(params CareTeamRole[] roles)
    {
        var id = $"t-saf-{Guid.NewGuid():N}"[..20];
        var members = roles.Select((_, i) => $"{id}-{i}").ToArray();
        await fixture.Grains.GetGrain<ICareTeamGrain>(id).SetProfileAsync(new CareTeamProfile(id, "Safety team", CareTeamStatus.Active,
            [.. roles.Select((role, i) => new TeamMember(members[i], $"Member {i}", role))], [], "UTC"));
        var patient = $"{id}-pat";
        await fixture.Grains.GetGrain<IPatientGrain>(patient).SetAsync(new PatientProfile(patient, "Diego Alvarez", "D.A.", "Exam 4", [], [id]));
        foreach (var user in members)
        {
            await fixture.Grains.GetGrain<IUserGrain>(user).SetAsync(new UserProfile(user, user, UserKind.Clinician, null, [id]));
            await fixture.Grains.GetGrain<IPresenceGrain>(user).ConnectAsync($"c-{user}");
        }

        return (id, members, patient);
    }

    private async Task<Measurement> RecordAsync(string actorId, string patient)
    {
        var result = await fixture.Grains.GetGrain<IPatientGrain>(patient).CareAsync(actorId, new RecordMeasurement(Instrument.Phq9, PositiveItem9));
        Assert.True(result.Ok, result.Error?.Message);
        return result.Value!.Recent[0];
    }

    private async Task<bool> PingedAsync(string userId, string teamId, string requester)
    {
        var open = await fixture.Grains.GetGrain<IInboxGrain>(userId).OpenAsync(IInboxGrain.Feed, userId, null);
        return ((InboxSnapshot)open.Value!.Snapshot!).Items.Any(i => i.Priority == HandoffPriority.Stat && i.TeamId == teamId && i.RequesterId == requester);
    }

    [Fact]
    public async Task With_no_care_manager_on_the_team_the_behavioral_health_consultant_is_pinged()
    {
        var (teamId, members, patient) = await TeamAsync(CareTeamRole.Pcp, CareTeamRole.Bhc);

        Assert.Equal(SafetyRoute.BhcRole, (await RecordAsync(members[0], patient)).Safety);

        await Eventually.Until(() => PingedAsync(members[1], teamId, members[0]), Wait, "the safety ping in the BHC's inbox");
    }

    [Fact]
    public async Task The_teams_only_care_manager_entering_it_for_a_patient_not_enrolled_is_told_no_ping_was_sent_and_nothing_stays_owed()
    {
        var (teamId, members, patient) = await TeamAsync(CareTeamRole.CareManager, CareTeamRole.Pcp);

        var saved = await RecordAsync(members[0], patient);

        Assert.Equal(SafetyRoute.EnteredByCareManager, saved.Safety);
        var care = (await fixture.Grains.GetGrain<IPatientGrain>(patient).GetCareAsync(members[0])).Value!;
        Assert.Contains("you are the care manager, so no ping was sent", RegistryRules.SafetyWordsAfter(saved, care.Entry), StringComparison.Ordinal);
        Assert.True(care.Status.Prompts.HasFlag(RegistryPrompts.Safety));
        // No handoff was asked for (one refused would have been asked again every minute) and the PCP got no ping.
        Assert.Empty((await fixture.Grains.GetGrain<IPatientGrain>(patient).GetHandoffsAsync(members[0])).Value!);
        Assert.False(await PingedAsync(members[1], teamId, members[0]));
    }

    [Fact]
    public async Task With_nobody_else_to_take_it_the_page_says_so_and_no_ping_is_asked_for()
    {
        var (_, members, patient) = await TeamAsync(CareTeamRole.Pcp, CareTeamRole.ConsultingPsychiatrist);

        var saved = await RecordAsync(members[0], patient);

        Assert.Equal(SafetyRoute.NobodyElse, saved.Safety);
        var care = (await fixture.Grains.GetGrain<IPatientGrain>(patient).GetCareAsync(members[0])).Value!;
        Assert.Contains("no ping was sent: follow your team's suicide-risk protocol", RegistryRules.SafetyWordsAfter(saved, care.Entry), StringComparison.Ordinal);
        Assert.Empty((await fixture.Grains.GetGrain<IPatientGrain>(patient).GetHandoffsAsync(members[0])).Value!);
    }

    [Fact]
    public async Task A_second_care_manager_is_pinged_when_the_first_enters_it_for_a_patient_not_enrolled()
    {
        var (teamId, members, patient) = await TeamAsync(CareTeamRole.CareManager, CareTeamRole.CareManager, CareTeamRole.Bhc);

        Assert.Equal(SafetyRoute.CareManagerRole, (await RecordAsync(members[0], patient)).Safety);

        await Eventually.Until(() => PingedAsync(members[1], teamId, members[0]), Wait, "the safety ping in the other care manager's inbox");
        Assert.False(await PingedAsync(members[2], teamId, members[0]));
    }
}
