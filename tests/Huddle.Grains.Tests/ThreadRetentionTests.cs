using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Chat;
using Huddle.Contracts.Live;
using Huddle.Contracts.Users;
using Huddle.Grains.Chat;
using Huddle.Grains.Common;
using Microsoft.Extensions.DependencyInjection;

namespace Huddle.Grains.Tests;

/// <summary>The deployment's chat retention on the silo's fake clock: old pages go, and a read before them is told so, never reset.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ThreadRetentionTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Pages_past_the_retention_are_removed_and_a_sync_or_read_before_them_answers_the_marker()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var (teamId, pcp, bhc) = ($"team-r-{suffix}", $"u-pcp-{suffix}", $"u-bhc-{suffix}");
        await fixture.Grains.GetGrain<ICareTeamGrain>(teamId).SetProfileAsync(new CareTeamProfile(teamId, "Team", CareTeamStatus.Active,
            [new TeamMember(pcp, "Dr. P", CareTeamRole.Pcp), new TeamMember(bhc, "B. H.", CareTeamRole.Bhc)], [], "UTC"));
        foreach (var user in new[] { pcp, bhc })
        {
            await fixture.Grains.GetGrain<IUserGrain>(user).SetAsync(new UserProfile(user, user, UserKind.Clinician, null, []));
        }

        var threadId = ThreadIds.ForTeam(teamId)!;
        var thread = fixture.Grains.GetGrain<IThreadGrain>(threadId);
        var retention = TimeSpan.FromDays(30);
        fixture.Chat.Retention = retention;
        try
        {
            // Four pages sent now, then 31 days pass and three more pages come.
            var first = (await thread.SendAsync(pcp, new SendMessage("old-0", "old 0"))).Value!;
            await SendAsync(thread, pcp, 1, (4 * ThreadGrain.PageSize) - 1, "old-");
            var early = (await thread.OpenAsync(IThreadGrain.Feed, bhc, null)).Value!;
            fixture.Clock.Advance(retention + TimeSpan.FromDays(1));
            await SendAsync(thread, bhc, 0, 3 * ThreadGrain.PageSize, "new-");
            const long Cut = 4 * ThreadGrain.PageSize;

            // A reader from before the cut: the marker first (its seq is the cut), then every later entry, gap-free.
            FeedCatchUp caughtUp = null!;
            await Huddle.Testing.Eventually.Until(
                async () =>
                {
                    caughtUp = await thread.ReadSinceAsync(IThreadGrain.Feed, 0);
                    return caughtUp is { Changes: [var marker, ..] } && ((ThreadChange)marker.For(FeedAudiences.Members)!).RemovedThrough == Cut;
                },
                Wait,
                "the retention to remove the old pages");
            Assert.False(caughtUp.Reset);
            var cut = (ThreadChange)caughtUp.Changes[0].For(FeedAudiences.Members)!;
            Assert.Equal((Cut, Cut, (ThreadMessage?)null, retention), (cut.Seq, cut.RemovedThrough, cut.Message, cut.Retention));
            Assert.Equal(Enumerable.Range((int)Cut + 1, caughtUp.Changes.Length - 1).Select(i => (long)i), caughtUp.Changes.Skip(1).Select(c => c.Seq));

            for (var round = 0; round < 2; round++)
            {
                // Resuming (the hub's open) from a cursor before the cut, in the reader's epoch: the marker, no reset.
                var resumed = (await thread.OpenAsync(IThreadGrain.Feed, bhc, 5, null, early.Epoch)).Value!;
                Assert.False(resumed.Reset);
                Assert.Equal(Cut, ((ThreadChange)resumed.Changes[0]).RemovedThrough);
                Assert.Equal(Cut + 1, ((ThreadChange)resumed.Changes[1]).Seq);

                // The snapshot and scrolling back say where the thread now starts.
                var snapshot = (ThreadSnapshot)(await thread.OpenAsync(IThreadGrain.Feed, bhc, null)).Value!.Snapshot!;
                Assert.Equal((Cut, (TimeSpan?)retention), (snapshot.RemovedThrough, snapshot.Retention));
                var back = (await thread.ReadBeforeAsync(bhc, Cut + 3, 50)).Value!;
                Assert.Equal([Cut + 1, Cut + 2], back.Messages.Select(m => m.Seq));
                Assert.False(back.More);
                Assert.Equal((Cut, (TimeSpan?)retention), (back.RemovedThrough, back.Retention));

                // A resend of a removed message's client id: its first reply, nothing stored again.
                Assert.Equal(first, (await thread.SendAsync(pcp, new SendMessage("old-0", "old 0"))).Value);
                await DeactivateAsync(threadId);
            }

            // The pages themselves are gone from the history store.
            var store = Store;
            var grainId = GrainId.Create("thread", threadId);
            Assert.Empty(await store.ReadPagesAsync<MessagePage>(grainId, "messages", 0, 3).ToListAsync());
            Assert.Equal(3, (await store.ReadPagesAsync<MessagePage>(grainId, "messages", 4, 100).ToListAsync()).Count);
        }
        finally
        {
            fixture.Chat.Retention = null;
        }
    }

    [Fact]
    public async Task A_thread_nobody_opens_again_is_woken_by_its_reminder_when_its_oldest_page_expires()
    {
        var (thread, threadId, grainId, pcp) = await TeamThreadAsync("rr");
        var store = Store;
        var reminders = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<IReminderTable>();
        async Task<ReminderEntry?> ReminderAsync() =>
            (await reminders.ReadRows(grainId)).Reminders.SingleOrDefault(r => r.ReminderName == ThreadGrain.RetentionReminder);
        async Task<int> StoredPagesAsync() => (await store.ReadPagesAsync<MessagePage>(grainId, "messages").ToListAsync()).Count;
        var retention = TimeSpan.FromDays(30);
        fixture.Chat.Retention = retention;
        try
        {
            // Two pages now and a third ten days on; then nobody opens the thread. A full page is stored
            // DeliveryLead after the message that filled it: both, and the reminder, before the clock moves.
            await SendAsync(thread, pcp, 0, 2 * ThreadGrain.PageSize, "a-");
            await Huddle.Testing.Eventually.Until(async () => await StoredPagesAsync() == 2, Wait, "the first two pages to be stored");
            await Huddle.Testing.Eventually.Until(async () => await ReminderAsync() is not null, Wait, "the retention reminder to be registered");
            fixture.Clock.Advance(TimeSpan.FromDays(10));
            await SendAsync(thread, pcp, 0, ThreadGrain.PageSize, "b-");
            await Huddle.Testing.Eventually.Until(async () => await StoredPagesAsync() == 3, Wait, "the third page to be stored");
            // Registered as the first page was stored, due when it passes the retention: 30 days on the wall clock,
            // which reminders run on (the silo's fake clock moved since; only the next registration sees that).
            Assert.InRange((await ReminderAsync())!.StartAt, DateTime.UtcNow + TimeSpan.FromDays(29.9), DateTime.UtcNow + TimeSpan.FromDays(30.1));
            await DeactivateAsync(threadId);
            Assert.Equal(3, (await store.ReadPagesAsync<MessagePage>(grainId, "messages").ToListAsync()).Count);

            // 21 days on the reminder's tick (as Orleans delivers it) wakes the thread: the two old pages go,
            // and the reminder moves to the third page's expiry, 9 days on.
            fixture.Clock.Advance(TimeSpan.FromDays(21));
            await thread.AsReference<IRemindable>().ReceiveReminder(ThreadGrain.RetentionReminder, default);
            Assert.Equal([2L], (await store.ReadPagesAsync<MessagePage>(grainId, "messages").ToListAsync()).Select(p => p.Number));
            var next = (await ReminderAsync())!;
            Assert.InRange(next.StartAt, DateTime.UtcNow + TimeSpan.FromDays(8.9), DateTime.UtcNow + TimeSpan.FromDays(9.1));
            await DeactivateAsync(threadId);

            // Ten days more: the last stored page goes, and with no stored page left, so does the reminder.
            fixture.Clock.Advance(TimeSpan.FromDays(10));
            await thread.AsReference<IRemindable>().ReceiveReminder(ThreadGrain.RetentionReminder, default);
            Assert.Empty(await store.ReadPagesAsync<MessagePage>(grainId, "messages").ToListAsync());
            Assert.Null(await ReminderAsync());
            var snapshot = (ThreadSnapshot)(await thread.OpenAsync(IThreadGrain.Feed, pcp, null)).Value!.Snapshot!;
            Assert.Equal(3 * ThreadGrain.PageSize, snapshot.RemovedThrough);
        }
        finally
        {
            fixture.Chat.Retention = null;
        }
    }

    [Fact]
    public async Task A_catch_up_reading_the_pages_the_retention_removes_meanwhile_answers_the_marker_not_a_reset()
    {
        var (thread, threadId, grainId, pcp) = await TeamThreadAsync("rc");
        var store = Store;
        var retention = TimeSpan.FromDays(30);
        fixture.Chat.Retention = retention;
        try
        {
            // Four stored pages and ten messages after them; 31 days on, the thread is activated afresh (its
            // recent changes are not in memory: a catch-up reads the pages). Put to sleep before the clock
            // moves: the check a stored page arms may still be due, and on the moved clock it would make the
            // cut itself, before the gate below is set (CI saw this).
            await SendAsync(thread, pcp, 0, (4 * ThreadGrain.PageSize) + 10, "old-");
            await Huddle.Testing.Eventually.Until(async () => (await store.ReadPagesAsync<MessagePage>(grainId, "messages").ToListAsync()).Count == 4, Wait, "four pages to be stored");
            await DeactivateAsync(threadId);
            fixture.Clock.Advance(retention + TimeSpan.FromDays(1));
            const long Cut = 4 * ThreadGrain.PageSize;

            // The retention's check runs and stores its cut; while that write is under way, a reader at seq 5
            // (not yet before the cut) starts reading the pages, and its page read is slow.
            FeedCatchUp caughtUp;
            using (var write = new WriteGate(grainId))
            {
                var check = thread.AsReference<IRemindable>().ReceiveReminder(ThreadGrain.RetentionReminder, default);
                await Huddle.Testing.Eventually.Until(() => Task.FromResult(write.Entered > 0), Wait, "the retention's write of its cut");
                var release = new TaskCompletionSource();
                var held = MeasuredHistoryStore.HoldNextRead(grainId, "messages", release.Task);
                var reading = thread.ReadSinceAsync(IThreadGrain.Feed, 5);
                await held.WaitAsync(Wait);

                // The cut is stored and its pages deleted; then the read goes on.
                write.Dispose();
                await check.WaitAsync(Wait);
                Assert.Empty(await store.ReadPagesAsync<MessagePage>(grainId, "messages", 0, 3).ToListAsync());
                release.SetResult();
                caughtUp = await reading.WaitAsync(Wait);
            }

            // Not a reset: the marker (the reader's next entries were removed), then every entry after the cut.
            Assert.False(caughtUp.Reset);
            Assert.Equal(Cut, ((ThreadChange)caughtUp.Changes[0].For(FeedAudiences.Members)!).RemovedThrough);
            Assert.Equal(Enumerable.Range((int)Cut + 1, 10).Select(i => (long)i), caughtUp.Changes.Skip(1).Select(c => c.Seq));
        }
        finally
        {
            fixture.Chat.Retention = null;
        }
    }

    /// <summary>A team of one PCP and its thread: the thread, its id and grain id, and the PCP.</summary>
    private async Task<(IThreadGrain Thread, string ThreadId, GrainId GrainId, string Pcp)> TeamThreadAsync(string prefix)
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var (teamId, pcp) = ($"team-{prefix}-{suffix}", $"u-pcp-{suffix}");
        await fixture.Grains.GetGrain<ICareTeamGrain>(teamId).SetProfileAsync(new CareTeamProfile(teamId, "Team", CareTeamStatus.Active,
            [new TeamMember(pcp, "Dr. P", CareTeamRole.Pcp)], [], "UTC"));
        await fixture.Grains.GetGrain<IUserGrain>(pcp).SetAsync(new UserProfile(pcp, pcp, UserKind.Clinician, null, []));
        var threadId = ThreadIds.ForTeam(teamId)!;
        return (fixture.Grains.GetGrain<IThreadGrain>(threadId), threadId, GrainId.Create("thread", threadId), pcp);
    }

    private IGrainHistoryStore Store => fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<IGrainHistoryStore>();

    private static async Task SendAsync(IThreadGrain thread, string sender, int from, int count, string idPrefix)
    {
        for (var i = from; i < from + count; i++)
        {
            var sent = await thread.SendAsync(sender, new SendMessage($"{idPrefix}{i}", $"{idPrefix}{i}"));
            Assert.True(sent.Ok, sent.Error?.Message);
        }
    }

    private async Task DeactivateAsync(string threadId)
    {
        var management = fixture.Cluster.Client.GetGrain<IManagementGrain>(0);
        await Huddle.Testing.Eventually.Until(
            async () =>
            {
                await management.ForceActivationCollection(TimeSpan.Zero);
                return (await management.GetActiveGrains(GrainType.Create("thread"))).All(id => id.Key.ToString() != threadId);
            },
            Wait,
            "the thread's grain to deactivate");
    }
}
