using Huddle.Contracts.Audit;
using Huddle.Contracts.Patients;
using Huddle.Grains.Audit;
using Huddle.Storage.Tests.Infrastructure;
using Huddle.Testing;

namespace Huddle.Storage.Tests;

/// <summary>
/// The audit trail on Azure Table storage (Azurite): records of calls answered before a silo restart
/// are all there after it, in order, in the patient's log and the day's; the log's last page fills on
/// where it stopped; and a call is answered only once its record is stored.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AuditDurabilityTests(AzuriteFixture azurite)
{
    /// <summary>Records appended at once: with the thirty calls, several full pages and a part-full last one.</summary>
    private const int Burst = (7 * AuditLogGrain.PageSize) + 15;

    [Fact]
    public async Task Every_answered_calls_record_survives_a_silo_restart_and_the_log_fills_on()
    {
        var settings = HuddleTestCluster.AzureTableConfig(azurite.Server);
        var serviceId = "huddle-" + Guid.NewGuid().ToString("N");
        var patientId = "p-audit-" + Guid.NewGuid().ToString("N")[..12];
        var user = "u-audit-" + Guid.NewGuid().ToString("N")[..8];

        await using (var cluster = await HuddleTestCluster.StartAsync(serviceId, settings))
        {
            // Calls as the web host makes them: marked with the connection they came through.
            for (var i = 0; i < 30; i++)
            {
                AuditVia.Set(AuditVia.Hub, $"c-{i}");
                var answer = await cluster.Client.GetGrain<IPatientGrain>(patientId).GetHandoffsAsync(user);
                Assert.False(answer.Ok);
            }

            Orleans.Runtime.RequestContext.Clear();
            // And a burst straight to the log: pages fill, and the last is left part full.
            await cluster.Client.GetGrain<IPatientAuditLogGrain>(patientId).AppendAsync(
                [.. Enumerable.Range(0, Burst).Select(n => new AuditRecord(DateTimeOffset.UtcNow, user, "Test.Burst", "patient", patientId, patientId, AuditOutcome.Allowed, null, "hub", $"b-{n}"))]);
        }

        await using (var cluster = await HuddleTestCluster.StartAsync(serviceId, settings))
        {
            var log = cluster.Client.GetGrain<IPatientAuditLogGrain>(patientId);
            var all = await AllAsync(log);
            Assert.Equal(30 + Burst, all.Count);
            Assert.Equal(Enumerable.Range(0, 30).Select(i => $"c-{i}"), all.Take(30).Select(r => r.Connection));
            Assert.All(all.Take(30), r => Assert.Equal((user, "Patient.GetHandoffs", AuditOutcome.Denied, "hub"), (r.UserId, r.Action, r.Outcome, r.Client)));
            Assert.Equal(Enumerable.Range(0, Burst).Select(n => $"b-{n}"), all.Skip(30).Select(r => r.Connection));

            // The day's log has the thirty calls too.
            var day = await AllAsync(cluster.Client.GetGrain<IDayAuditLogGrain>(IDayAuditLogGrain.Key(DateOnly.FromDateTime(all[0].At.UtcDateTime))));
            Assert.Equal(30, day.Count(r => r.UserId == user));

            // One more call: on the part-full last page, not a new one.
            AuditVia.Set(AuditVia.Http, "r-1");
            await cluster.Client.GetGrain<IPatientGrain>(patientId).GetHandoffsAsync(user);
            Orleans.Runtime.RequestContext.Clear();
            var last = (await log.ReadAsync("a-admin", null, 1)).Pages.Single();
            const int stored = 30 + Burst;
            Assert.NotEqual(0, stored % AuditLogGrain.PageSize);
            Assert.Equal(((long)(stored / AuditLogGrain.PageSize), (stored % AuditLogGrain.PageSize) + 1, "r-1"), (last.Number, last.Records.Length, last.Records[^1].Connection));
        }
    }

    /// <summary>Every record of <paramref name="log"/>, oldest first.</summary>
    private static async Task<List<AuditRecord>> AllAsync(IAuditLog log)
    {
        var pages = new List<AuditPage>();
        long? before = null;
        do
        {
            var read = await log.ReadAsync("a-admin", before, 3);
            pages.AddRange(read.Pages);
            before = read.Before;
        }
        while (before is not null);

        return [.. pages.OrderBy(p => p.Number).SelectMany(p => p.Records)];
    }
}
