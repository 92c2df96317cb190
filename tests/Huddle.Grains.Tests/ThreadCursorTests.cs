using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Chat;
using Huddle.Contracts.Common;
using Huddle.Contracts.Live;
using Huddle.Contracts.Patients;
using Huddle.Contracts.Users;
using Huddle.Testing;

namespace Huddle.Grains.Tests;

/// <summary>Receipts and unread counts: monotone cursors, counts every device agrees on, coalesced publishes, receipts to members only.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ThreadCursorTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private sealed record Setup(string TeamId, string PatientId, string Pcp, string Bhc, string Nurse, string Outsider)
    {
        public string PatientThread => ThreadIds.ForPatient(PatientId)!;
    }

    private async Task<Setup> NewAsync()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var s = new Setup($"team-{suffix}", $"p-{suffix}", $"u-pcp-{suffix}", $"u-bhc-{suffix}", $"u-rn-{suffix}", $"u-out-{suffix}");
        await fixture.Grains.GetGrain<ICareTeamGrain>(s.TeamId).SetProfileAsync(new CareTeamProfile(s.TeamId, "Team", CareTeamStatus.Active,
            [new TeamMember(s.Pcp, "Dr. P", CareTeamRole.Pcp), new TeamMember(s.Bhc, "B. H.", CareTeamRole.Bhc), new TeamMember(s.Nurse, "N. R.", CareTeamRole.Nurse)],
            [], "America/Chicago"));
        await fixture.Grains.GetGrain<IPatientGrain>(s.PatientId).SetAsync(new PatientProfile(s.PatientId, "Pat Ient", "P.I.", "Exam 1", [], [s.TeamId]));
        foreach (var user in new[] { s.Pcp, s.Bhc, s.Nurse, s.Outsider })
        {
            await fixture.Grains.GetGrain<IUserGrain>(user).SetAsync(new UserProfile(user, user, UserKind.Clinician, null, []));
        }

        return s;
    }

    private IThreadGrain Thread(string threadId) => fixture.Grains.GetGrain<IThreadGrain>(threadId);

    private IThreadListGrain Own(string userId) => fixture.Grains.GetGrain<IThreadListGrain>(userId);

    private async Task<long> SendAsync(Setup s, string from, string id) =>
        (await Thread(s.PatientThread).SendAsync(from, new SendMessage(id, $"message {id}"))).Value!.Seq;

    /// <summary>A device's copy of a clinician's unread counts: opened once, then kept by applying the feed's numbered changes in order.</summary>
    private sealed class Device(IThreadListGrain own, string userId)
    {
        public long Seq { get; private set; }

        public long Epoch { get; private set; }

        public long Total { get; private set; }

        public Dictionary<string, long> Threads { get; } = new(StringComparer.Ordinal);

        public async Task OpenAsync()
        {
            var open = await own.OpenAsync(IThreadListGrain.UnreadFeed, userId, null);
            Take((UnreadSnapshot)open.Value!.Snapshot!, open.Value.Epoch);
        }

        /// <summary>
        /// Catches up as a client does: the unread feed keeps no past changes, so from an older seq it answers
        /// a reset (within the same activation: the same epoch) and the device re-reads the counts; returns how
        /// many changes or re-reads it took.
        /// </summary>
        public async Task<int> CatchUpAsync()
        {
            var page = await own.ReadSinceAsync(IThreadListGrain.UnreadFeed, Seq, Epoch);
            if (page.Reset)
            {
                Assert.Equal(Epoch, page.Epoch);
                await OpenAsync();
                return 1;
            }

            foreach (var change in page.Changes.Select(c => (UnreadChange)c.For(FeedAudiences.User(userId))!))
            {
                Assert.Equal(Seq + 1, change.Seq);
                foreach (var t in change.Threads)
                {
                    Threads[t.Thread.ThreadId] = t.Unread;
                }

                foreach (var gone in change.Removed)
                {
                    Threads.Remove(gone);
                }

                (Seq, Total) = (change.Seq, change.Total);
            }

            return page.Changes.Length;
        }

        private void Take(UnreadSnapshot snapshot, long epoch)
        {
            (Seq, Epoch, Total) = (snapshot.Seq, epoch, snapshot.Total);
            Threads.Clear();
            foreach (var t in snapshot.Threads)
            {
                Threads[t.Thread.ThreadId] = t.Unread;
            }
        }
    }

    private async Task<UnreadSnapshot> UnreadOfAsync(string userId) =>
        (UnreadSnapshot)(await Own(userId).OpenAsync(IThreadListGrain.UnreadFeed, userId, null)).Value!.Snapshot!;

    private async Task UnreadBecomesAsync(string userId, string threadId, long unread, string what) =>
        await Eventually.Until(async () =>
        {
            var now = await UnreadOfAsync(userId);
            return now.Threads.SingleOrDefault(t => t.Thread.ThreadId == threadId)?.Unread == unread && now.Total == unread;
        }, Wait, what);

    [Fact]
    public async Task Cursors_only_move_forward_and_bad_reports_are_refused_and_change_nothing()
    {
        var s = await NewAsync();
        for (var i = 1; i <= 5; i++)
        {
            await SendAsync(s, s.Pcp, $"m-{i}");
        }

        var bhc = Own(s.Bhc);
        var first = await bhc.ReportAsync(s.PatientThread, 4, 3);
        Assert.True(first.Ok, first.Error?.Message);
        Assert.Equal((4L, 3L, 5L, 2L), (first.Value!.Delivered, first.Value.Read, first.Value.Head, first.Value.Unread));

        // Late and repeated reports (another device that saw less) change nothing.
        Assert.Equal(first.Value, (await bhc.ReportAsync(s.PatientThread, 2, 1)).Value);
        Assert.Equal(first.Value, (await bhc.ReportAsync(s.PatientThread, 4, 3)).Value);
        // Read implies delivered.
        var all = (await bhc.ReportAsync(s.PatientThread, 0, 5)).Value!;
        Assert.Equal((5L, 5L, 0L), (all.Delivered, all.Read, all.Unread));

        foreach (var (delivered, read) in new[] { (-1L, 0L), (0L, -2L), (6L, 0L), (0L, 99L) })
        {
            var bad = await bhc.ReportAsync(s.PatientThread, delivered, read);
            Assert.Equal(ErrorCodes.ValidationFailed, bad.Error?.Code);
        }

        Assert.Equal(ErrorCodes.ValidationFailed, (await bhc.ReportAsync("not a thread", 1, 1)).Error?.Code);
        var after = await bhc.ReportAsync(s.PatientThread, 0, 0);
        Assert.Equal((5L, 5L, 0L), (after.Value!.Delivered, after.Value.Read, after.Value.Unread));
    }

    [Fact]
    public async Task Two_devices_of_one_clinician_agree_on_the_counts_after_a_read_on_one_of_them()
    {
        var s = await NewAsync();
        for (var i = 1; i <= 3; i++)
        {
            await SendAsync(s, s.Pcp, $"m-{i}");
        }

        await UnreadBecomesAsync(s.Bhc, s.PatientThread, 3, "the BHC's count of 3");
        var (phone, laptop) = (new Device(Own(s.Bhc), s.Bhc), new Device(Own(s.Bhc), s.Bhc));
        await phone.OpenAsync();
        await laptop.OpenAsync();
        Assert.Equal((3L, 3L), (phone.Total, laptop.Total));

        // Read on the phone: the laptop hears it as the next numbered change, and both show the same.
        Assert.Equal(1, (await Own(s.Bhc).ReportAsync(s.PatientThread, 2, 2)).Value!.Unread);
        await Eventually.Until(async () => await laptop.CatchUpAsync() > 0 && laptop.Total == 1, Wait, "the laptop's count after the phone read");
        await phone.CatchUpAsync();
        Assert.Equal((laptop.Seq, laptop.Total, laptop.Threads[s.PatientThread]), (phone.Seq, phone.Total, phone.Threads[s.PatientThread]));
        Assert.Equal(1, phone.Threads[s.PatientThread]);

        // The PCP's own messages are never unread to them.
        Assert.Equal(0, (await UnreadOfAsync(s.Pcp)).Total);
    }

    [Fact]
    public async Task A_clinicians_own_send_counts_as_read_up_to_it()
    {
        var s = await NewAsync();
        await SendAsync(s, s.Pcp, "m-1");
        await SendAsync(s, s.Pcp, "m-2");
        await UnreadBecomesAsync(s.Bhc, s.PatientThread, 2, "two unread for the BHC");
        await SendAsync(s, s.Bhc, "reply");
        await UnreadBecomesAsync(s.Bhc, s.PatientThread, 0, "the BHC's reply reading what came before");
        await UnreadBecomesAsync(s.Pcp, s.PatientThread, 1, "the reply unread for the PCP");
    }

    [Fact]
    public async Task An_acknowledgement_edit_or_delete_reads_nothing_the_clinician_was_not_shown()
    {
        var s = await NewAsync();
        var thread = Thread(s.PatientThread);
        var own = await SendAsync(s, s.Bhc, "mine");
        var ask = (await thread.SendAsync(s.Pcp, new SendMessage("ask", "Confirm the plan, please", AckRequested: true, Mentions: [s.Bhc]))).Value!.Seq;
        await SendAsync(s, s.Pcp, "m-2");
        await SendAsync(s, s.Nurse, "m-3");
        await UnreadBecomesAsync(s.Bhc, s.PatientThread, 3, "three unread for the BHC");

        // From the request's notification, and far up the history: an acknowledgement, an edit and a delete of their own.
        Assert.True((await thread.AcknowledgeAsync(s.Bhc, ask, "ack-1")).Ok);
        Assert.True((await thread.EditAsync(s.Bhc, new EditMessage("e-1", own, "mine, edited"))).Ok);
        Assert.True((await thread.DeleteAsync(s.Bhc, new DeleteMessage("d-1", own))).Ok);

        // The thread's receipts still have the BHC reading up to their own message only: nobody's message after it shows "read".
        var receipts = (ThreadReceipts)(await thread.OpenAsync(IThreadGrain.ReceiptsFeed, s.Pcp, null)).Value!.Snapshot!;
        Assert.Equal(own, receipts.Cursors.Single(c => c.UserId == s.Bhc).Read);

        // And their count: the three still unread, and the nurse's next one makes four (the same grain, in order).
        await SendAsync(s, s.Nurse, "m-4");
        await UnreadBecomesAsync(s.Bhc, s.PatientThread, 4, "four unread for the BHC after the nurse's next message");
    }

    [Fact]
    public async Task A_burst_of_messages_publishes_far_fewer_unread_changes_than_messages_and_counts_them_all()
    {
        var s = await NewAsync();
        const int Burst = 40;
        // Started together: the thread stores them one after the other while its tells and the
        // clinician's publishes wait out their interval.
        var sends = await Task.WhenAll(Enumerable.Range(1, Burst).Select(i => Thread(s.PatientThread).SendAsync(s.Pcp, new SendMessage($"b-{i}", $"burst {i}"))));
        Assert.All(sends, r => Assert.True(r.Ok, r.Error?.Message));

        await UnreadBecomesAsync(s.Bhc, s.PatientThread, Burst, $"the BHC's count of {Burst}");
        var published = (await UnreadOfAsync(s.Bhc)).Seq;
        Assert.True(published <= Burst / 4, $"{published} unread publishes for {Burst} messages");
        await UnreadBecomesAsync(s.Nurse, s.PatientThread, Burst, $"the nurse's count of {Burst}");
    }

    [Fact]
    public async Task Receipts_reach_members_live_and_a_non_member_can_neither_report_nor_read_them()
    {
        var s = await NewAsync();
        var seq = await SendAsync(s, s.Pcp, "ask");
        var thread = Thread(s.PatientThread);
        var probe = new FeedProbe();
        await thread.SubscribeAsync(IThreadGrain.ReceiptsFeed, fixture.Grains.CreateObjectReference<IFeedObserver>(probe));
        var opened = await thread.OpenAsync(IThreadGrain.ReceiptsFeed, s.Pcp, null);
        Assert.True(opened.Ok, opened.Error?.Message);
        var receipts = (ThreadReceipts)opened.Value!.Snapshot!;
        Assert.Equal(new[] { s.Bhc, s.Nurse, s.Pcp }.Order(StringComparer.Ordinal), receipts.Members);

        Assert.True((await Own(s.Bhc).ReportAsync(s.PatientThread, seq, seq)).Ok);
        Assert.True((await Own(s.Nurse).ReportAsync(s.PatientThread, seq, 0)).Ok);
        ThreadReceipts? live = null;
        await Eventually.Until(async () =>
        {
            live = (ThreadReceipts)(await probe.NextAsync()).For(FeedAudiences.Members)!;
            return live.Cursors.Any(c => c.UserId == s.Bhc && c.Read == seq) && live.Cursors.Any(c => c.UserId == s.Nurse && c.Delivered == seq);
        }, Wait, "the receipts of the BHC's read and the nurse's delivery");
        Assert.Equal(0, live!.Cursors.Single(c => c.UserId == s.Nurse).Read);
        Assert.NotNull(live.Cursors.Single(c => c.UserId == s.Bhc).ReadAt);

        var outsider = await Own(s.Outsider).ReportAsync(s.PatientThread, seq, seq);
        Assert.Equal(ErrorCodes.Forbidden, outsider.Error?.Code);
        Assert.Equal(ErrorCodes.Forbidden, (await thread.OpenAsync(IThreadGrain.ReceiptsFeed, s.Outsider, null)).Error?.Code);
        Assert.DoesNotContain((await UnreadOfAsync(s.Outsider)).Threads, t => t.Thread.ThreadId == s.PatientThread);
        var after = (ThreadReceipts)(await thread.OpenAsync(IThreadGrain.ReceiptsFeed, s.Pcp, null)).Value!.Snapshot!;
        Assert.DoesNotContain(after.Cursors, c => c.UserId == s.Outsider);
    }

    [Fact]
    public async Task Receipts_keep_no_past_changes_a_watcher_behind_re_reads_the_table_and_the_next_table_follows_the_members()
    {
        var s = await NewAsync();
        var seq = await SendAsync(s, s.Pcp, "ask");
        var thread = Thread(s.PatientThread);
        var opened = (await thread.OpenAsync(IThreadGrain.ReceiptsFeed, s.Pcp, null)).Value!;
        var (before, epoch) = (opened.Seq, opened.Epoch);

        Assert.True((await Own(s.Bhc).ReportAsync(s.PatientThread, seq, seq)).Ok);
        // Published, coalesced (the sender's own cursor, moved by the send, may go in a publish of its own
        // before or after the open above): waited for until the table at the feed's seq shows the BHC's read,
        // the seq is past the one opened, and a read from it finds nothing newer, neither changes nor a re-read.
        ThreadReceipts? table = null;
        await Eventually.Until(async () =>
        {
            table = (ThreadReceipts)(await thread.OpenAsync(IThreadGrain.ReceiptsFeed, s.Pcp, null)).Value!.Snapshot!;
            var current = await thread.ReadSinceAsync(IThreadGrain.ReceiptsFeed, table.Seq, epoch);
            return table.Seq > before && table.Cursors.Any(c => c.UserId == s.Bhc && c.Read == seq) && !current.Reset && current.Changes.IsEmpty;
        }, Wait, "the receipts of the BHC's read published, and nothing newer");

        // Every change is the whole table: one behind is answered with a re-read, in the same epoch, never old changes.
        var behind = await thread.ReadSinceAsync(IThreadGrain.ReceiptsFeed, before, epoch);
        Assert.True(behind.Reset);
        Assert.Equal(epoch, behind.Epoch);
        Assert.Empty(behind.Changes);

        // The team changes: the nurse leaves, a psychiatrist joins. The members the thread keeps between calls
        // are rebuilt, and the next table lists the new ones in order, without the nurse or her cursor.
        var psychiatrist = $"u-psy-{s.TeamId[5..]}";
        await fixture.Grains.GetGrain<IUserGrain>(psychiatrist).SetAsync(new UserProfile(psychiatrist, psychiatrist, UserKind.Clinician, null, []));
        Assert.True((await Own(s.Nurse).ReportAsync(s.PatientThread, seq, 0)).Ok);
        await fixture.Grains.GetGrain<ICareTeamGrain>(s.TeamId).SetProfileAsync(new CareTeamProfile(s.TeamId, "Team", CareTeamStatus.Active,
            [new TeamMember(s.Pcp, "Dr. P", CareTeamRole.Pcp), new TeamMember(s.Bhc, "B. H.", CareTeamRole.Bhc), new TeamMember(psychiatrist, "P. S.", CareTeamRole.ConsultingPsychiatrist)],
            [], "America/Chicago"));
        Assert.True((await Own(psychiatrist).ReportAsync(s.PatientThread, seq, seq)).Ok);
        var after = (ThreadReceipts)(await thread.OpenAsync(IThreadGrain.ReceiptsFeed, s.Pcp, null)).Value!.Snapshot!;
        Assert.Equal(new[] { s.Bhc, s.Pcp, psychiatrist }.Order(StringComparer.Ordinal), after.Members);
        Assert.Equal(seq, after.Cursors.Single(c => c.UserId == psychiatrist).Read);
        Assert.DoesNotContain(after.Cursors, c => c.UserId == s.Nurse);
        Assert.Equal(ErrorCodes.Forbidden, (await Own(s.Nurse).ReportAsync(s.PatientThread, seq, seq)).Error?.Code);
    }

    [Fact]
    public async Task Unread_counts_are_open_to_their_clinician_only()
    {
        var s = await NewAsync();
        Assert.Equal(ErrorCodes.Forbidden, (await Own(s.Bhc).OpenAsync(IThreadListGrain.UnreadFeed, s.Pcp, null)).Error?.Code);
        Assert.True((await Own(s.Bhc).OpenAsync(IThreadListGrain.UnreadFeed, s.Bhc, null)).Ok);
    }
}
