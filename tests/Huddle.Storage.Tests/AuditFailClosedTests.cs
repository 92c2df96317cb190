using Huddle.Contracts.Audit;
using Huddle.Contracts.CareTeams;
using Huddle.Grains.Common;
using Huddle.Storage.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Huddle.Storage.Tests;

/// <summary>
/// Fail closed (docs/security.md, "Audit controls"): a call whose audit record cannot be stored is
/// refused with a clear error, soon, rather than answered unrecorded or left holding its grain for
/// Orleans' whole response timeout; once the log takes writes again, calls are answered and recorded.
/// </summary>
public sealed class AuditFailClosedTests
{
    /// <summary>The silo's history store, with the audit logs' page writes held until released.</summary>
    private sealed class HeldAuditPages(IGrainHistoryStore inner) : IGrainHistoryStore
    {
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task WritePageAsync<T>(GrainId grainId, string stream, long page, T content, CancellationToken cancellationToken = default) =>
            inner.WritePageAsync(grainId, stream, page, content, cancellationToken);

        public async Task WritePagesAsync<T>(GrainId grainId, string stream, IReadOnlyList<HistoryPage<T>> pages, CancellationToken cancellationToken = default)
        {
            if (stream == "audit")
            {
                await Release.Task;
            }

            await inner.WritePagesAsync(grainId, stream, pages, cancellationToken);
        }

        public IAsyncEnumerable<HistoryPage<T>> ReadPagesAsync<T>(GrainId grainId, string stream, long fromPage = 0, long toPage = long.MaxValue, CancellationToken cancellationToken = default) =>
            inner.ReadPagesAsync<T>(grainId, stream, fromPage, toPage, cancellationToken);

        public Task DeletePagesAsync(GrainId grainId, string stream, long fromPage, long toPage, CancellationToken cancellationToken = default) =>
            inner.DeletePagesAsync(grainId, stream, fromPage, toPage, cancellationToken);
    }

    [Fact]
    public async Task A_call_whose_record_cannot_be_stored_is_refused_and_the_next_after_recovery_is_answered()
    {
        HeldAuditPages? held = null;
        await using var cluster = await HuddleTestCluster.StartAsync("huddle-" + Guid.NewGuid().ToString("N"), new Dictionary<string, string?>(), silo =>
            silo.Services.AddSingleton<IGrainHistoryStore>(sp => held = new HeldAuditPages(sp.GetRequiredKeyedService<IGrainHistoryStore>(StorageNames.Huddle))));
        var teamId = "team-" + Guid.NewGuid().ToString("N")[..12];
        var team = cluster.Client.GetGrain<ICareTeamGrain>(teamId);
        await team.SetProfileAsync(HuddleTestCluster.Team(teamId, "u-pcp"));

        AuditVia.Set(AuditVia.Hub, "c-1");
        var refused = await Assert.ThrowsAsync<TimeoutException>(() => team.ExecuteAsync("u-pcp", new Contracts.Boards.AddNote(Contracts.Boards.NoteKind.LookBack, "While the log is out of reach")));
        Assert.Contains("audit record of CareTeam.Execute was not stored", refused.Message, StringComparison.Ordinal);

        // The grain's turn was let go: a call that waits for it (not interleaved, not audited) is answered
        // while the log is still out of reach (held for good, it would time out).
        Orleans.Runtime.RequestContext.Clear();
        await team.SetProfileAsync(HuddleTestCluster.Team(teamId, "u-pcp"));

        held!.Release.SetResult();
        AuditVia.Set(AuditVia.Hub, "c-2");
        Assert.True((await team.GetBoardAsync("u-pcp")).Ok);
        Orleans.Runtime.RequestContext.Clear();
        var day = await cluster.Client.GetGrain<IDayAuditLogGrain>(IDayAuditLogGrain.Key(DateOnly.FromDateTime(DateTime.UtcNow))).ReadAsync("a-admin", null, 5);
        Assert.Contains(day.Pages.SelectMany(p => p.Records), r => r.Connection == "c-2" && r.Action == "CareTeam.GetBoard" && r.Outcome == AuditOutcome.Allowed);
    }
}
