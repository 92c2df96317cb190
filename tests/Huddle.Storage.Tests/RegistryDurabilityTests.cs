using System.Collections.Immutable;
using Huddle.Contracts.Boards;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Patients;
using Huddle.Contracts.Registry;
using Huddle.Storage.Tests.Infrastructure;

namespace Huddle.Storage.Tests;

/// <summary>
/// Measurement-based care on Azure Table storage (Azurite): what a care call acknowledged — the
/// measurements (each its own page), the patient's row, the registry's shard and the card's flags —
/// is all there after the silo is gone and a new one reads it back.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RegistryDurabilityTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Acknowledged_measurements_the_registry_and_the_cards_flags_survive_a_silo_restart()
    {
        var settings = HuddleTestCluster.AzureTableConfig(azurite.Server);
        var serviceId = "huddle-" + Guid.NewGuid().ToString("N");
        var n = Guid.NewGuid().ToString("N")[..8];
        var (teamId, pcp, cm, patientId) = ($"team-reg-{n}", $"u-pcp-{n}", $"u-cm-{n}", $"p-reg-{n}");
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        long version;

        await using (var cluster = await HuddleTestCluster.StartAsync(serviceId, settings))
        {
            var team = cluster.Client.GetGrain<ICareTeamGrain>(teamId);
            await team.SetProfileAsync(new CareTeamProfile(teamId, "Registry team", CareTeamStatus.Active,
                [new TeamMember(pcp, "Dr. P", CareTeamRole.Pcp), new TeamMember(cm, "C. M.", CareTeamRole.CareManager)], [], "UTC"));
            var patient = cluster.Client.GetGrain<IPatientGrain>(patientId);
            await patient.SetAsync(new PatientProfile(patientId, "Maria Lopez", "M.L.", "Exam 2", [], [teamId]));
            var board = (await team.GetBoardAsync(pcp)).Value!.Board;
            Assert.True((await team.ExecuteAsync(pcp, new AddCard(patientId, board.Lanes[0].Id))).Ok);

            async Task<PatientCare> Care(string actor, CareCommand command)
            {
                var result = await patient.CareAsync(actor, command);
                Assert.True(result.Ok, result.Error?.Message);
                return result.Value!;
            }

            await Care(pcp, new RecordMeasurement(Instrument.Phq9, [3, 3, 3, 3, 3, 3, 0, 0, 0], today.AddDays(-56)));
            await Care(cm, new Enrol(teamId, cm, null, today.AddDays(-56)));
            await Care(cm, new LogContact(ContactKind.Phone, 40, today));
            version = (await Care(pcp, new RecordMeasurement(Instrument.Phq9, [3, 3, 2, 2, 2, 2, 1, 1, 0]) { OpId = "phq-last" })).Entry.Version;
        }

        await using (var cluster = await HuddleTestCluster.StartAsync(serviceId, settings))
        {
            var patient = cluster.Client.GetGrain<IPatientGrain>(patientId);
            var care = (await patient.GetCareAsync(pcp)).Value!;
            Assert.Equal(version, care.Entry.Version);
            Assert.Equal([18, 16], care.Entry.Phq9.Select(p => p.Total));
            Assert.Equal(40, care.Status.MinutesThisMonth);
            Assert.True(care.Status.Prompts.HasFlag(RegistryPrompts.PsychiatricReview));
            var page = (await patient.GetMeasurementsAsync(pcp, null, 10)).Value!;
            Assert.Equal([2L, 1L], page.Measurements.Select(m => m.Number));
            Assert.Equal(ImmutableArray.Create(3, 3, 2, 2, 2, 2, 1, 1, 0), page.Measurements[0].Items);

            // The op id's retry after the restart stores nothing twice.
            var again = await patient.CareAsync(pcp, new RecordMeasurement(Instrument.Phq9, [3, 3, 2, 2, 2, 2, 1, 1, 0]) { OpId = "phq-last" });
            Assert.Equal(2, again.Value!.Entry.Phq9.Length);

            var row = Assert.Single((await cluster.Client.GetGrain<IRegistryGrain>(teamId).GetAsync(cm)).Value!.Rows);
            Assert.Equal(patientId, row.Entry.PatientId);
            var card = (await cluster.Client.GetGrain<ICareTeamGrain>(teamId).GetBoardAsync(pcp)).Value!.Board.Cards.Single();
            Assert.Contains(new CardFlag(FlagKind.Phq9, "16 ↓"), card.Flags);
            Assert.Contains(new CardFlag(FlagKind.NeedsPsychReview), card.Flags);
        }
    }
}
