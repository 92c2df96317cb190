using System.Collections.Immutable;
using Huddle.Contracts.Audit;
using Huddle.Grains.Audit;
using Huddle.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Huddle.Grains.Tests;

/// <summary>
/// An audit log (docs/security.md, "Audit"): appends arriving during a write share the next one, each
/// returns once its records are stored, a failed write fails its callers and leaves the stored page as
/// it was, pages fill in place and come back newest first by page cursor, and a new activation fills on
/// the last page (the state row is one number).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class AuditLogGrainTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static AuditRecord Record(string user, int n) =>
        new(DateTimeOffset.UnixEpoch.AddSeconds(n), user, "Handoff.Open", "handoff", $"h-{n}", "p-1", AuditOutcome.Allowed, null, "hub", "c-1");

    private IPatientAuditLogGrain Log(out string key)
    {
        key = $"p-audit-{Guid.NewGuid():N}";
        return fixture.Grains.GetGrain<IPatientAuditLogGrain>(key);
    }

    private static async Task<List<AuditRecord>> AllAsync(IAuditLog log)
    {
        var records = new List<AuditRecord>();
        long? before = null;
        do
        {
            var read = await log.ReadAsync("a-admin", before, 2);
            records.AddRange(read.Pages.SelectMany(p => p.Records.Reverse()));
            before = read.Before;
        }
        while (before is not null);

        return records;
    }

    [Fact]
    public async Task Appends_during_a_write_share_the_next_one_and_each_returns_once_stored()
    {
        var log = Log(out _);
        var id = log.GetGrainId();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await log.AppendAsync([Record("u-warm", 0)]);
        MeasuredHistoryStore.Writes.TryRemove(id, out _);
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        MeasuredHistoryStore.Hold(id, () =>
        {
            held.TrySetResult();
            return gate.Task;
        });
        var first = log.AppendAsync([Record("u-1", 1)]);
        await held.Task.WaitAsync(Wait);
        var rest = Enumerable.Range(2, 49).Select(n => log.AppendAsync([Record($"u-{n}", n)])).ToList();
        await Task.Delay(200);
        Assert.False(first.IsCompleted || rest.Any(t => t.IsCompleted), "an append returned before its records were stored");

        gate.SetResult();
        MeasuredHistoryStore.Open(id);
        await Task.WhenAll(rest.Append(first)).WaitAsync(Wait);

        // Two writes for the fifty appends: the first, then everything that arrived while it was held.
        Assert.Equal(2, MeasuredHistoryStore.Writes.GetValueOrDefault(id));
        var all = await AllAsync(log);
        Assert.Equal(Enumerable.Range(0, 51).Select(n => $"h-{n}").Order(), all.Select(r => r.TargetId).Order());
        Assert.Equal(["h-1", "h-0"], all.TakeLast(2).Select(r => r.TargetId));
    }

    [Fact]
    public async Task A_failed_write_fails_its_callers_and_leaves_the_stored_page_as_it_was()
    {
        var log = Log(out _);
        var id = log.GetGrainId();
        await log.AppendAsync([Record("u-1", 1)]);
        MeasuredHistoryStore.Hold(id, () => Task.FromException(new IOException("Storage is down")));
        await Assert.ThrowsAnyAsync<Exception>(() => log.AppendAsync([Record("u-2", 2)]));
        MeasuredHistoryStore.Open(id);
        Assert.Equal(["h-1"], (await AllAsync(log)).Select(r => r.TargetId));
        await log.AppendAsync([Record("u-3", 3)]);

        var read = await log.ReadAsync("a-admin", null, 10);
        Assert.Equal([0L], read.Pages.Select(p => p.Number));
        Assert.Equal(["h-1", "h-3"], read.Pages.SelectMany(p => p.Records).Select(r => r.TargetId));
        Assert.Null(read.Before);
    }

    [Fact]
    public async Task A_big_batch_fills_pages_and_a_new_activation_numbers_on_after_them()
    {
        var log = Log(out var key);
        await log.AppendAsync([.. Enumerable.Range(0, AuditLogGrain.PageSize * 2 + 5).Select(n => Record("u-1", n))]);
        var read = await log.ReadAsync("a-admin", null, 10);
        Assert.Equal([2L, 1L, 0L], read.Pages.Select(p => p.Number));
        Assert.Equal([5, AuditLogGrain.PageSize, AuditLogGrain.PageSize], read.Pages.Select(p => p.Records.Length));

        var management = fixture.Grains.GetGrain<IManagementGrain>(0);
        await management.ForceActivationCollection(TimeSpan.Zero);
        await Eventually.Until(
            async () => (await management.GetActiveGrains(GrainType.Create("patientauditlog"))).All(g => g.Key.ToString() != key),
            Wait,
            "the log to deactivate");

        await log.AppendAsync([Record("u-2", 9999)]);
        var all = await AllAsync(log);
        Assert.Equal(AuditLogGrain.PageSize * 2 + 6, all.Count);
        Assert.Equal("h-9999", all[0].TargetId);
        Assert.Equal("h-0", all[^1].TargetId);
        // The last page, part full, was filled on in place.
        var last = (await log.ReadAsync("a-admin", null, 1)).Pages.Single();
        Assert.Equal((2L, 6), (last.Number, last.Records.Length));
        // The state row is one number, however many pages.
        Assert.True(MeasuredGrainStorage.LastWriteBytes.GetValueOrDefault(log.GetGrainId()) < 200);
    }

    [Fact]
    public async Task Pages_stored_when_a_page_held_100_records_are_read_whole_and_the_log_goes_on_after_them()
    {
        var log = Log(out _);
        var store = fixture.Cluster.GetSiloServiceProvider(fixture.Cluster.Silos[0].SiloAddress).GetRequiredService<Huddle.Grains.Common.IGrainHistoryStore>();
        // As a log written with pages of 100 left them: page 0 full, page 1 open with 50.
        await store.WritePagesAsync(log.GetGrainId(), "audit", [
            new Huddle.Grains.Common.HistoryPage<AuditPage>(0, new AuditPage(0, [.. Enumerable.Range(0, 100).Select(n => Record("u-1", n))])),
            new Huddle.Grains.Common.HistoryPage<AuditPage>(1, new AuditPage(1, [.. Enumerable.Range(100, 50).Select(n => Record("u-1", n))])),
        ]);

        await log.AppendAsync([Record("u-2", 150)]);

        var read = await log.ReadAsync("a-admin", null, 10);
        Assert.Equal([2L, 1L, 0L], read.Pages.Select(p => p.Number));
        // The old open page holds more than a page does now: it is left as it was, and the new record opens the next.
        Assert.Equal([1, 50, 100], read.Pages.Select(p => p.Records.Length));
        Assert.Equal([.. Enumerable.Range(0, 151).Reverse().Select(n => $"h-{n}")], (await AllAsync(log)).Select(r => r.TargetId));
    }

    [Fact]
    public async Task An_empty_log_reads_nothing()
    {
        var read = await Log(out _).ReadAsync("a-admin", null, 5);
        Assert.Empty(read.Pages);
        Assert.Null(read.Before);
    }
}
