using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Chat;
using Huddle.Contracts.Common;
using Huddle.Contracts.Patients;
using Huddle.Contracts.Users;

namespace Huddle.Grains.Tests;

/// <summary>
/// Emergency access on the silo's clock: a grant lets its clinician read the patient's handoffs and
/// thread until it ends and not a moment after; the next grant is numbered on; every grant is kept with
/// its reason; the row holds only the grants in force.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class EmergencyAccessGrainTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_grant_lets_its_clinician_read_until_it_ends_and_not_after()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var (teamId, pcp, outsider, patientId) = ($"team-{suffix}", $"u-pcp-{suffix}", $"u-ed-{suffix}", $"p-{suffix}");
        await fixture.Grains.GetGrain<ICareTeamGrain>(teamId).SetProfileAsync(new CareTeamProfile(teamId, "Team", CareTeamStatus.Active, [new TeamMember(pcp, "Dr. P", CareTeamRole.Pcp)], [], "UTC"));
        await fixture.Grains.GetGrain<IPatientGrain>(patientId).SetAsync(new PatientProfile(patientId, "Rosa Delgado", "R.D.", "Exam 3", [], [teamId]));
        await fixture.Grains.GetGrain<IUserGrain>(outsider).SetAsync(new UserProfile(outsider, "Dr. ED", UserKind.Clinician, null, []));
        var access = fixture.Grains.GetGrain<IEmergencyAccessGrain>(patientId);
        var patient = fixture.Grains.GetGrain<IPatientGrain>(patientId);
        var thread = fixture.Grains.GetGrain<IThreadGrain>(ThreadIds.ForPatient(patientId)!);
        Assert.True((await thread.SendAsync(pcp, new SendMessage("c-1", "Safety plan on file"))).Ok);

        Assert.Equal(ErrorCodes.Forbidden, (await patient.GetHandoffsAsync(outsider)).Error?.Code);
        Assert.Equal(ErrorCodes.Forbidden, (await thread.ReadBeforeAsync(outsider, 100, 10)).Error?.Code);

        var first = (await access.GrantAsync(outsider, "  Seen in the ED after a fall, need the plan  ")).Value!;
        Assert.Equal((1L, "Seen in the ED after a fall, need the plan", fixture.Clock.GetUtcNow() + TimeSpan.FromHours(1)), (first.Number, first.Reason, first.Until));
        Assert.True((await patient.GetHandoffsAsync(outsider)).Ok);
        Assert.Equal("Safety plan on file", (await thread.ReadBeforeAsync(outsider, 100, 10)).Value!.Messages.Single().Text);
        Assert.Equal([outsider], await access.HoldersAsync());
        var rowWithFirst = MeasuredGrainStorage.LastWriteBytes.GetValueOrDefault(access.GetGrainId());

        fixture.Clock.Advance(TimeSpan.FromMinutes(59));
        Assert.True((await patient.GetHandoffsAsync(outsider)).Ok);
        fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(await access.ActiveAsync(outsider));
        Assert.Empty(await access.HoldersAsync());
        Assert.Equal(ErrorCodes.Forbidden, (await patient.GetHandoffsAsync(outsider)).Error?.Code);
        Assert.Equal(ErrorCodes.Forbidden, (await thread.ReadBeforeAsync(outsider, 100, 10)).Error?.Code);

        // Breaking the glass again is a new grant, numbered on; both are kept with their reasons.
        var second = (await access.GrantAsync(outsider, "Back in the ED the same night")).Value!;
        Assert.Equal(2L, second.Number);
        Assert.Equal(first, await access.GetAsync("a-admin", 1));
        Assert.Equal(second, await access.GetAsync("a-admin", 2));
        Assert.Null(await access.GetAsync("a-admin", 3));

        // The row holds the grant in force, not the one that ended (the second's reason is the shorter).
        var rowWithSecond = MeasuredGrainStorage.LastWriteBytes.GetValueOrDefault(access.GetGrainId());
        Assert.InRange(rowWithSecond, 1, rowWithFirst);
    }

    [Fact]
    public async Task Only_a_clinician_off_the_patients_teams_with_a_reason_of_10_to_500_characters_is_granted()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var (teamId, pcp, display, outsider, patientId) = ($"team-{suffix}", $"u-pcp-{suffix}", $"d-{suffix}", $"u-ed-{suffix}", $"p-{suffix}");
        await fixture.Grains.GetGrain<ICareTeamGrain>(teamId).SetProfileAsync(new CareTeamProfile(teamId, "Team", CareTeamStatus.Active, [new TeamMember(pcp, "Dr. P", CareTeamRole.Pcp)], [display], "UTC"));
        await fixture.Grains.GetGrain<IPatientGrain>(patientId).SetAsync(new PatientProfile(patientId, "Rosa Delgado", "R.D.", "Exam 3", [], [teamId]));
        await fixture.Grains.GetGrain<IUserGrain>(outsider).SetAsync(new UserProfile(outsider, "Dr. ED", UserKind.Clinician, null, []));
        await fixture.Grains.GetGrain<IUserGrain>(pcp).SetAsync(new UserProfile(pcp, "Dr. P", UserKind.Clinician, CareTeamRole.Pcp, [teamId]));
        await fixture.Grains.GetGrain<IUserGrain>(display).SetAsync(new UserProfile(display, "Room", UserKind.RoomDisplay, null, [teamId]));
        const string Reason = "Seen in the ED, need the record";

        Assert.Equal(ErrorCodes.ValidationFailed, (await fixture.Grains.GetGrain<IEmergencyAccessGrain>(patientId).GrantAsync(outsider, "too short")).Error?.Code);
        Assert.Equal(ErrorCodes.ValidationFailed, (await fixture.Grains.GetGrain<IEmergencyAccessGrain>(patientId).GrantAsync(outsider, new string('x', 501))).Error?.Code);
        Assert.Equal(ErrorCodes.InvalidState, (await fixture.Grains.GetGrain<IEmergencyAccessGrain>(patientId).GrantAsync(pcp, Reason)).Error?.Code);
        Assert.Equal(ErrorCodes.Forbidden, (await fixture.Grains.GetGrain<IEmergencyAccessGrain>(patientId).GrantAsync(display, Reason)).Error?.Code);
        Assert.Equal(ErrorCodes.Forbidden, (await fixture.Grains.GetGrain<IEmergencyAccessGrain>(patientId).GrantAsync("u-nobody-" + suffix, Reason)).Error?.Code);
        Assert.Equal(ErrorCodes.NotFound, (await fixture.Grains.GetGrain<IEmergencyAccessGrain>("p-none-" + suffix).GrantAsync(outsider, Reason)).Error?.Code);
        Assert.Null(await fixture.Grains.GetGrain<IEmergencyAccessGrain>(patientId).ActiveAsync(outsider));
        Assert.Null(await fixture.Grains.GetGrain<IEmergencyAccessGrain>(patientId).GetAsync("a-admin", 1));
    }
}
