using System.Collections.Immutable;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Chat;
using Huddle.Contracts.Common;
using Huddle.Contracts.Live;
using Huddle.Contracts.Patients;
using Huddle.Contracts.Users;
using Huddle.Grains.Chat;
using Huddle.Grains.Common;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace Huddle.Grains.Tests;

/// <summary>Chat threads: who may use them, idempotent sends, a gap-free seq, paged catch-up, a row that does not grow.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ThreadGrainTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private sealed record Setup(string TeamId, string PatientId, string Pcp, string Bhc, string Display, string Outsider)
    {
        public string PatientThread => ThreadIds.ForPatient(PatientId)!;

        public string TeamThread => ThreadIds.ForTeam(TeamId)!;
    }

    private async Task<Setup> NewAsync()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var s = new Setup($"team-{suffix}", $"p-{suffix}", $"u-pcp-{suffix}", $"u-bhc-{suffix}", $"u-wall-{suffix}", $"u-out-{suffix}");
        await fixture.Grains.GetGrain<ICareTeamGrain>(s.TeamId).SetProfileAsync(new CareTeamProfile(s.TeamId, "Team", CareTeamStatus.Active,
            [new TeamMember(s.Pcp, "Dr. P", CareTeamRole.Pcp), new TeamMember(s.Bhc, "B. H.", CareTeamRole.Bhc)], [s.Display], "America/Chicago"));
        // The outsider is a clinician on a team of their own: a clinician, just not on this patient's teams.
        var other = $"team-o-{suffix}";
        await fixture.Grains.GetGrain<ICareTeamGrain>(other).SetProfileAsync(new CareTeamProfile(other, "Other", CareTeamStatus.Active,
            [new TeamMember(s.Outsider, "O. T.", CareTeamRole.Nurse)], [], "America/Chicago"));
        await fixture.Grains.GetGrain<IPatientGrain>(s.PatientId).SetAsync(new PatientProfile(s.PatientId, "Pat Ient", "P.I.", "Exam 1", [], [other + "-gone", s.TeamId]));
        foreach (var (user, kind) in new[] { (s.Pcp, UserKind.Clinician), (s.Bhc, UserKind.Clinician), (s.Outsider, UserKind.Clinician), (s.Display, UserKind.RoomDisplay) })
        {
            await fixture.Grains.GetGrain<IUserGrain>(user).SetAsync(new UserProfile(user, user, kind, null, []));
        }

        return s;
    }

    private IThreadGrain Thread(string threadId) => fixture.Grains.GetGrain<IThreadGrain>(threadId);

    private static SendMessage Text(string id, string text = "Can you see her after 3?", MessagePriority priority = MessagePriority.Normal) => new(id, text, priority);

    /// <summary>Every message after <paramref name="since"/>, read page by page as a relay does; fails on a reset.</summary>
    private static async Task<List<ThreadMessage>> ReadAllSinceAsync(IThreadGrain thread, long since, int limit = 256)
    {
        var messages = new List<ThreadMessage>();
        var epoch = FeedPosition.AnyEpoch;
        for (var more = true; more;)
        {
            var page = await thread.ReadSinceAsync(IThreadGrain.Feed, since, epoch, limit);
            Assert.False(page.Reset, $"a reset after seq {since}");
            messages.AddRange(page.Changes.Select(c => ((ThreadChange)c.For(FeedAudiences.Members)!).Message!));
            (since, epoch, more) = (page.Seq, page.Epoch, page.More);
        }

        return messages;
    }

    [Fact]
    public async Task The_same_client_message_id_sent_three_times_is_one_message_with_one_seq()
    {
        var s = await NewAsync();
        var thread = Thread(s.PatientThread);
        var replies = new List<Result<MessageSent>>();
        for (var i = 0; i < 3; i++)
        {
            replies.Add(await thread.SendAsync(s.Pcp, Text("m-1")));
        }

        Assert.All(replies, r => Assert.True(r.Ok, r.Error?.Message));
        Assert.Single(replies.Select(r => r.Value).Distinct());
        Assert.Equal(1, replies[0].Value!.Seq);
        var stored = await ReadAllSinceAsync(thread, 0);
        Assert.Equal(["m-1"], stored.Select(m => m.ClientMessageId));

        // Another sender's message with the same client id is theirs: a new message.
        Assert.Equal(2, (await thread.SendAsync(s.Bhc, Text("m-1"))).Value!.Seq);
    }

    [Fact]
    public async Task A_client_message_id_reused_for_other_content_is_refused_and_stores_nothing()
    {
        var s = await NewAsync();
        var thread = Thread(s.TeamThread);
        await thread.SendAsync(s.Pcp, Text("m-1", "first"));
        foreach (var other in new[] { Text("m-1", "second"), Text("m-1", "first", MessagePriority.Urgent) })
        {
            var reused = await thread.SendAsync(s.Pcp, other);
            Assert.Equal(ErrorCodes.OpIdReused, reused.Error?.Code);
        }

        Assert.Single(await ReadAllSinceAsync(thread, 0));
    }

    [Fact]
    public async Task A_resend_long_after_its_message_left_the_row_still_gets_the_first_reply_also_after_reactivation()
    {
        var s = await NewAsync();
        var thread = Thread(s.TeamThread);
        var first = (await thread.SendAsync(s.Pcp, Text("early"))).Value!;
        for (var i = 0; i < 5 * ThreadGrain.PageSize; i++)
        {
            Assert.True((await thread.SendAsync(s.Bhc, Text($"b-{i}", $"message {i}"))).Ok);
        }

        Assert.Equal(first, (await thread.SendAsync(s.Pcp, Text("early"))).Value);
        Assert.Equal(ErrorCodes.OpIdReused, (await thread.SendAsync(s.Pcp, Text("early", "changed"))).Error?.Code);

        await DeactivateAsync(s.TeamThread);
        Assert.Equal(first, (await thread.SendAsync(s.Pcp, Text("early"))).Value);
        Assert.Equal(5 * ThreadGrain.PageSize + 2, (await thread.SendAsync(s.Pcp, Text("late"))).Value!.Seq);
        var all = await ReadAllSinceAsync(thread, 0);
        Assert.Equal(Enumerable.Range(1, all.Count).Select(i => (long)i), all.Select(m => m.Seq));
        Assert.Single(all, m => m.ClientMessageId == "early");
    }

    [Fact]
    public Task A_full_page_stores_its_client_ids_in_one_write_with_no_read_and_a_resend_after_reads_one_row() =>
        // The first page has left the row by the deactivation below only if it was stored before the last sends.
        WithoutDeliveryLeadAsync(FullPagesIdsAsync);

    private async Task FullPagesIdsAsync()
    {
        var s = await NewAsync();
        var thread = Thread(s.TeamThread);
        var id = thread.GetGrainId();
        var (reads, writes) = (MeasuredHistoryStore.Reads.GetValueOrDefault(id), MeasuredHistoryStore.Writes.GetValueOrDefault(id));
        await SendManyAsync(thread, s.Pcp, 2 * ThreadGrain.PageSize, "p-");

        // Two pages stored off the sends' path: per page one write of its ids and one of its messages
        // (ids kept in hash buckets took a read and a write per bucket: 32 of each a page). The
        // deactivation waits for a page write under way, so the counts are final.
        await Huddle.Testing.Eventually.Until(
            () => Task.FromResult(MeasuredHistoryStore.Writes.GetValueOrDefault(id) - writes >= 4), Wait, "both pages to be stored");
        await DeactivateAsync(s.TeamThread);
        Assert.Equal((0, 4), (MeasuredHistoryStore.Reads.GetValueOrDefault(id) - reads, MeasuredHistoryStore.Writes.GetValueOrDefault(id) - writes));

        // Once the first page left the row, a resend of one of that page's ids reads one row (the id's
        // own) and gets its first reply; so does a new id that sorts before the sender's mark.
        var third = (await ReadAllSinceAsync(thread, 0)).Single(m => m.Seq == 3);
        reads = MeasuredHistoryStore.Reads.GetValueOrDefault(id);
        Assert.Equal(3, (await thread.SendAsync(s.Pcp, Text(third.ClientMessageId, third.Text))).Value!.Seq);
        Assert.Equal(2 * ThreadGrain.PageSize + 1, (await thread.SendAsync(s.Pcp, Text("a-sorts-first"))).Value!.Seq);
        Assert.Equal(2, MeasuredHistoryStore.Reads.GetValueOrDefault(id) - reads);
    }

    [Fact]
    public async Task The_row_carries_only_messages_not_in_a_stored_page_and_an_open_still_shows_the_newest_page_after_a_reactivation()
    {
        var s = await NewAsync();
        var thread = Thread(s.TeamThread);
        var id = thread.GetGrainId();
        var writes = MeasuredHistoryStore.Writes.GetValueOrDefault(id);
        await SendManyAsync(thread, s.Pcp, 2 * ThreadGrain.PageSize, "r-");
        await Huddle.Testing.Eventually.Until(
            () => Task.FromResult(MeasuredHistoryStore.Writes.GetValueOrDefault(id) - writes >= 4), Wait, "both pages to be stored");

        // Every send writes the row: once a page is stored, the next send's row carries none of it.
        var next = (2 * ThreadGrain.PageSize) + 1;
        Assert.Equal(next, (await thread.SendAsync(s.Pcp, Text("r-after"))).Value!.Seq);
        Assert.Equal([next], MeasuredGrainStorage.LastWritten<Huddle.Grains.Chat.ThreadState>(id)!.Tail.Select(m => m.Seq));

        // An open still shows the newest page with it, from memory: no read.
        var newest = Enumerable.Range(ThreadGrain.PageSize + 1, ThreadGrain.PageSize + 1).Select(i => (long)i).ToList();
        var reads = MeasuredHistoryStore.Reads.GetValueOrDefault(id);
        Assert.Equal(newest, await OpenedSeqsAsync());
        Assert.Equal(0, MeasuredHistoryStore.Reads.GetValueOrDefault(id) - reads);

        // A new activation has the row only: its first open reads the page before it once, and holds it.
        await DeactivateAsync(s.TeamThread);
        reads = MeasuredHistoryStore.Reads.GetValueOrDefault(id);
        Assert.Equal(newest, await OpenedSeqsAsync());
        Assert.Equal(newest, await OpenedSeqsAsync());
        Assert.Equal(1, MeasuredHistoryStore.Reads.GetValueOrDefault(id) - reads);

        async Task<IEnumerable<long>> OpenedSeqsAsync() =>
            ((ThreadSnapshot)(await thread.OpenAsync(IThreadGrain.Feed, s.Pcp, null)).Value!.Snapshot!).Messages.Select(m => m.Seq);
    }

    [Fact]
    public async Task A_new_id_that_sorts_after_its_senders_earlier_ids_is_stored_without_a_read_also_after_a_reactivation()
    {
        var s = await NewAsync();
        var thread = Thread(s.TeamThread);
        var id = thread.GetGrainId();
        // Zero-padded ids ("m-000000" on) sort in sending order, as the web client's time-ordered ids do.
        await SendManyAsync(thread, s.Pcp, (2 * ThreadGrain.PageSize) + 5, "m-");
        var first = (await ReadAllSinceAsync(thread, 0)).Single(m => m.Seq == 1);
        await DeactivateAsync(s.TeamThread);

        // The first page has left the row. New ids that sort after the sender's (the marks come back with
        // the row), and a first message of a clinician who never sent here: no read at all.
        var reads = MeasuredHistoryStore.Reads.GetValueOrDefault(id);
        var next = (2 * ThreadGrain.PageSize) + 6;
        Assert.Equal(next, (await thread.SendAsync(s.Pcp, Text("m-9000"))).Value!.Seq);
        Assert.Equal(next + 1, (await thread.SendAsync(s.Pcp, Text("m-9001"))).Value!.Seq);
        Assert.Equal(next + 2, (await thread.SendAsync(s.Bhc, Text("a-first-of-bhc"))).Value!.Seq);
        Assert.Equal(0, MeasuredHistoryStore.Reads.GetValueOrDefault(id) - reads);

        // Resends still get their first reply, however their ids sort: the BHC's first (now below their
        // mark) and the PCP's first message, paged long ago.
        Assert.Equal(next + 2, (await thread.SendAsync(s.Bhc, Text("a-first-of-bhc"))).Value!.Seq);
        Assert.Equal(1, (await thread.SendAsync(s.Pcp, Text(first.ClientMessageId, first.Text))).Value!.Seq);
        Assert.Equal(next + 3, (await thread.SendAsync(s.Bhc, Text("b-second-of-bhc"))).Value!.Seq);
        Assert.Equal([next, next + 1, next + 2, next + 3], (await ReadAllSinceAsync(thread, next - 1)).Select(m => m.Seq));
    }

    [Fact]
    public async Task A_thread_stored_before_keyed_ids_still_finds_an_id_in_its_old_buckets()
    {
        var s = await NewAsync();
        var thread = Thread(s.TeamThread);
        await SendManyAsync(thread, s.Pcp, 3 * ThreadGrain.PageSize, "o-");
        var first = (await ReadAllSinceAsync(thread, 0)).Single(m => m.Seq == 1);
        await DeactivateAsync(s.TeamThread);

        // The row and history as the version before keyed ids left them: no flag, the first page's ids in their hash buckets.
        var silo = fixture.Cluster.Silos[0].ServiceProvider;
        var (grainId, history) = (thread.GetGrainId(), silo.GetRequiredService<IGrainHistoryStore>());
        var storage = silo.GetRequiredKeyedService<IGrainStorage>(StorageNames.Huddle);
        var row = new GrainState<Huddle.Grains.Chat.ThreadState>();
        await storage.ReadStateAsync(StorageNames.ThreadState, grainId, row);
        Assert.True(row.State!.IdsKeyed);
        Assert.True(row.State.Written >= ThreadGrain.PageSize, "the first page is stored");
        (row.State.IdsKeyed, row.State.LegacyIdsThrough) = (false, 0);
        await storage.WriteStateAsync(StorageNames.ThreadState, grainId, row);
        var firstPage = (await history.ReadPagesAsync<MessagePage>(grainId, "messages", 0, 0).SingleAsync()).Content.Messages;
        foreach (var bucket in firstPage.GroupBy(m => ClientIds.BucketOf(m.SenderId, m.ClientMessageId)))
        {
            await history.WritePageAsync(grainId, "client-ids", bucket.Key, new ClientIdBucket([.. bucket.Select(m => new ClientIdEntry(m.SenderId, m.ClientMessageId, m.Seq, ClientIds.ContentHashOf(m), m.At))]));
        }

        await history.DeletePagesAsync(grainId, "client-id", 0, long.MaxValue);

        // A resend of the first message: its first reply, found in its old bucket; nothing stored again.
        var before = (await thread.OpenAsync(IThreadGrain.Feed, s.Bhc, null)).Value!.Seq;
        Assert.Equal(1, (await thread.SendAsync(s.Pcp, Text(first.ClientMessageId, first.Text))).Value!.Seq);
        Assert.Equal(before, (await thread.OpenAsync(IThreadGrain.Feed, s.Bhc, null)).Value!.Seq);
    }

    [Fact]
    public async Task Twenty_concurrent_senders_get_a_gap_free_seq_each_message_once()
    {
        var s = await NewAsync();
        var thread = Thread(s.PatientThread);
        const int Senders = 20, Each = 10;
        var sends = Enumerable.Range(0, Senders).Select(async sender =>
        {
            var user = sender % 2 == 0 ? s.Pcp : s.Bhc;
            var seqs = new List<long>();
            for (var i = 0; i < Each; i++)
            {
                // Each message sent twice at once, as a client retrying a lost reply might.
                var id = $"s{sender}-{i}";
                var twice = await Task.WhenAll(thread.SendAsync(user, Text(id, id)), thread.SendAsync(user, Text(id, id)));
                Assert.Equal(twice[0].Value, twice[1].Value);
                seqs.Add(twice[0].Value!.Seq);
            }

            return seqs;
        });
        var seqs = (await Task.WhenAll(sends)).SelectMany(x => x).Order().ToList();
        Assert.Equal(Enumerable.Range(1, Senders * Each).Select(i => (long)i), seqs);
        var stored = await ReadAllSinceAsync(thread, 0, 64);
        Assert.Equal(seqs, stored.Select(m => m.Seq));
        Assert.Equal(Senders * Each, stored.Select(m => (m.SenderId, m.ClientMessageId)).Distinct().Count());
    }

    [Fact]
    public async Task A_reader_away_for_5000_messages_pages_forward_without_a_reset()
    {
        var s = await NewAsync();
        var thread = Thread(s.TeamThread);
        Assert.True((await thread.SendAsync(s.Pcp, Text("before"))).Ok);
        var opened = (await thread.OpenAsync(IThreadGrain.Feed, s.Bhc, null)).Value!;
        await SendManyAsync(thread, s.Pcp, 5000, "away");

        // Read as a host does (ring first, then stored pages), also by a fresh activation with an empty ring.
        var missed = await ReadAllSinceAsync(thread, opened.Seq);
        Assert.Equal(Enumerable.Range(2, 5000).Select(i => (long)i), missed.Select(m => m.Seq));
        await DeactivateAsync(s.TeamThread);
        var resumed = (await thread.OpenAsync(IThreadGrain.Feed, s.Bhc, opened.Seq, null, opened.Epoch, 1000)).Value!;
        Assert.False(resumed.Reset);
        Assert.True(resumed.More);
        Assert.Equal(Enumerable.Range(2, 1000).Select(i => (long)i), resumed.Changes.Cast<ThreadChange>().Select(c => c.Seq));
        Assert.Equal(missed, await ReadAllSinceAsync(thread, opened.Seq, 1000));

        // Scrolling back from the open's snapshot reaches the first message.
        var snapshot = (ThreadSnapshot)(await thread.OpenAsync(IThreadGrain.Feed, s.Bhc, null)).Value!.Snapshot!;
        Assert.True(snapshot.More);
        var before = snapshot.Messages[0].Seq;
        var older = new List<ThreadMessage>();
        for (var more = true; more;)
        {
            var page = (await thread.ReadBeforeAsync(s.Bhc, before, ChatLimits.MaxHistoryRead)).Value!;
            older.InsertRange(0, page.Messages);
            (before, more) = (page.Messages[0].Seq, page.More);
        }

        Assert.Equal(Enumerable.Range(1, 5001 - snapshot.Messages.Length).Select(i => (long)i), older.Select(m => m.Seq));
    }

    [Fact]
    public async Task A_non_member_can_neither_open_read_sync_nor_send_and_nothing_changes()
    {
        var s = await NewAsync();
        var direct = ThreadIds.ForDirect(s.Pcp, s.Bhc)!;
        Assert.True((await Thread(direct).StartDirectAsync(s.Pcp, s.Bhc)).Ok);
        foreach (var (threadId, outsiders) in new[] { (s.PatientThread, new[] { s.Outsider, s.Display }), (s.TeamThread, [s.Outsider, s.Display]), (direct, [s.Outsider]) })
        {
            var thread = Thread(threadId);
            Assert.True((await thread.SendAsync(s.Pcp, Text("m-1"))).Ok);
            foreach (var outsider in outsiders)
            {
                Assert.Equal(ErrorCodes.Forbidden, (await thread.OpenAsync(IThreadGrain.Feed, outsider, null)).Error?.Code);
                Assert.Equal(ErrorCodes.Forbidden, (await thread.OpenAsync(IThreadGrain.Feed, outsider, 0)).Error?.Code);
                Assert.Equal(ErrorCodes.Forbidden, (await thread.ReadBeforeAsync(outsider, 10, 10)).Error?.Code);
                Assert.Equal(ErrorCodes.Forbidden, (await thread.SendAsync(outsider, Text("x-1"))).Error?.Code);
                Assert.Equal(ErrorCodes.Forbidden, (await thread.DescribeAsync(outsider)).Error?.Code);
            }

            Assert.Equal([1L], (await ReadAllSinceAsync(thread, 0)).Select(m => m.Seq));
            Assert.True((await thread.OpenAsync(IThreadGrain.Feed, s.Bhc, null)).Ok);
        }

        // Nobody can start a direct thread under someone else's id, or with a room display.
        Assert.Equal(ErrorCodes.ValidationFailed, (await Thread(direct).StartDirectAsync(s.Outsider, s.Bhc)).Error?.Code);
        var withWall = ThreadIds.ForDirect(s.Pcp, s.Display)!;
        Assert.Equal(ErrorCodes.Forbidden, (await Thread(withWall).StartDirectAsync(s.Pcp, s.Display)).Error?.Code);
        Assert.Equal(ErrorCodes.Forbidden, (await Thread(withWall).SendAsync(s.Pcp, Text("m-1"))).Error?.Code);
    }

    [Fact]
    public async Task Text_over_4000_characters_empty_text_or_a_bad_id_is_refused_and_nothing_is_stored()
    {
        var s = await NewAsync();
        var thread = Thread(s.TeamThread);
        foreach (var bad in new[] { Text("m-1", new string('a', ChatLimits.MaxText + 1)), Text("m-1", " "), Text("m 1"), Text("m-1", "hi", (MessagePriority)7) })
        {
            Assert.Equal(ErrorCodes.ValidationFailed, (await thread.SendAsync(s.Pcp, bad)).Error?.Code);
        }

        Assert.Empty(await ReadAllSinceAsync(thread, 0));
        // The same id is free: nothing was remembered of the refused sends.
        var longest = await thread.SendAsync(s.Pcp, Text("m-1", new string('a', ChatLimits.MaxText)));
        Assert.Equal(1, longest.Value?.Seq);
    }

    [Fact]
    public async Task A_thread_of_100000_messages_has_a_row_the_size_of_a_new_ones_and_opens_with_as_few_reads()
    {
        // A full page is written DeliveryLead after the message that filled it, so the row of a sender as fast
        // as this test (hundreds a second) also holds what came meanwhile, a number set by timing, not by the
        // thread's length: without the lead, each row holds the few messages after the last stored page.
        await WithoutDeliveryLeadAsync(RowsOfAThreadOf100000MessagesAsync);
    }

    /// <summary>
    /// Runs <paramref name="test"/> with full pages written on the thread's next turn, as a sender slower than
    /// one message per <see cref="ChatOptions.DeliveryLead"/> has it: for a test of what the row holds once a
    /// page is stored, whose sends (hundreds a second) would otherwise all land within the lead.
    /// </summary>
    private async Task WithoutDeliveryLeadAsync(Func<Task> test)
    {
        fixture.Chat.DeliveryLead = TimeSpan.Zero;
        try
        {
            await test();
        }
        finally
        {
            fixture.Chat.DeliveryLead = new ChatOptions().DeliveryLead;
        }
    }

    private async Task RowsOfAThreadOf100000MessagesAsync()
    {
        var s = await NewAsync();
        var (small, big) = (Thread(s.PatientThread), Thread(s.TeamThread));
        var (smallId, bigId) = (small.GetGrainId(), big.GetGrainId());
        var smallRow = 0;
        // Neither ends on a page's end: each row then holds a few messages, and memory the page before them.
        const int Small = (3 * ThreadGrain.PageSize) + 5;
        for (var i = 0; i < Small; i++)
        {
            Assert.True((await small.SendAsync(s.Pcp, Text($"m-{i:D6}", $"Message number {i:D6}"))).Ok);
            smallRow = Math.Max(smallRow, MeasuredGrainStorage.LastWriteBytes[smallId]);
        }

        const int Total = 100_005;
        await SendManyAsync(big, s.Pcp, Total - 500, "m-", "Message number ");
        var bigRow = 0;
        for (var i = Total - 500; i < Total; i++)
        {
            Assert.True((await big.SendAsync(s.Pcp, Text($"m-{i:D6}", $"Message number {i:D6}"))).Ok);
            bigRow = Math.Max(bigRow, MeasuredGrainStorage.LastWriteBytes[bigId]);
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"Largest thread row: {smallRow:N0} bytes with {Small} messages, {bigRow:N0} bytes with {Total:N0}");
        // The same row but for the seqs' own digits (a seq of 100,005 takes two bytes more than one of 101).
        Assert.InRange(bigRow, smallRow - 512, smallRow + 512);

        // Opening either takes one state read and at most one page read (the page before the row's few
        // messages, unless the last page was not stored before the last send); a second open reads nothing.
        await DeactivateAsync(s.PatientThread, s.TeamThread);
        foreach (var (thread, id) in new[] { (small, smallId), (big, bigId) })
        {
            var (rowReads, pageReads) = (MeasuredGrainStorage.Reads.GetValueOrDefault(id), MeasuredHistoryStore.Reads.GetValueOrDefault(id));
            var open = (await thread.OpenAsync(IThreadGrain.Feed, s.Bhc, null)).Value!;
            var snapshot = (ThreadSnapshot)open.Snapshot!;
            Assert.InRange(snapshot.Messages.Length, ThreadGrain.PageSize, ChatLimits.SnapshotMessages);
            Assert.Equal(open.Seq, snapshot.Messages[^1].Seq);
            // A member's thread list may wake the thread first (telling it their cursors): at most the one row read.
            Assert.InRange(MeasuredGrainStorage.Reads.GetValueOrDefault(id) - rowReads, 0, 1);
            Assert.InRange(MeasuredHistoryStore.Reads.GetValueOrDefault(id) - pageReads, 0, 1);
            pageReads = MeasuredHistoryStore.Reads.GetValueOrDefault(id);
            Assert.Equal(snapshot.Messages, ((ThreadSnapshot)(await thread.OpenAsync(IThreadGrain.Feed, s.Bhc, null)).Value!.Snapshot!).Messages);
            Assert.Equal(pageReads, MeasuredHistoryStore.Reads.GetValueOrDefault(id));
        }
    }

    [Fact]
    public async Task A_lone_message_is_one_row_write_its_senders_read_receipt_riding_in_it()
    {
        var s = await NewAsync();
        var thread = Thread(s.PatientThread);
        var id = thread.GetGrainId();
        var writes = MeasuredGrainStorage.Writes.GetValueOrDefault(id);
        Assert.Equal(1, (await thread.SendAsync(s.Pcp, Text("lone"))).Value!.Seq);

        // Nothing more is written, not even on deactivation, which writes a copy of cursors still unwritten.
        await DeactivateAsync(s.PatientThread);
        Assert.Equal(writes + 1, MeasuredGrainStorage.Writes.GetValueOrDefault(id));

        // The stored copy says the sender read their message.
        var receipts = (ThreadReceipts)(await thread.OpenAsync(IThreadGrain.ReceiptsFeed, s.Bhc, null)).Value!.Snapshot!;
        Assert.Equal((1L, 1L), receipts.Cursors.Where(c => c.UserId == s.Pcp).Select(c => (c.Delivered, c.Read)).Single());
    }

    [Fact]
    public async Task A_send_is_one_row_write_pages_go_to_storage_off_its_path_and_the_row_never_holds_more_than_two_pages()
    {
        var s = await NewAsync();
        var thread = Thread(s.TeamThread);
        var id = thread.GetGrainId();
        Assert.True((await thread.SendAsync(s.Pcp, Text("m-0"))).Ok);

        // History storage stops answering: sends still complete, each with exactly one row write.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        MeasuredHistoryStore.Hold(id, () => release.Task);
        try
        {
            for (var i = 1; i < ThreadGrain.MaxTail; i++)
            {
                var rowWrites = MeasuredGrainStorage.Writes.GetValueOrDefault(id);
                Assert.True((await thread.SendAsync(s.Pcp, Text($"m-{i}")).WaitAsync(Wait)).Ok);
                Assert.Equal(rowWrites + 1, MeasuredGrainStorage.Writes.GetValueOrDefault(id));
            }

            // The row holds two pages; the next send waits for the older one to be stored, and no longer.
            var waiting = thread.SendAsync(s.Pcp, Text($"m-{ThreadGrain.MaxTail}"));
            await Task.Delay(50, TestContext.Current.CancellationToken);
            Assert.False(waiting.IsCompleted);
            release.SetResult();
            Assert.Equal(ThreadGrain.MaxTail + 1, (await waiting.WaitAsync(Wait)).Value!.Seq);
        }
        finally
        {
            MeasuredHistoryStore.Open(id);
            release.TrySetResult();
        }

        Assert.Equal(Enumerable.Range(1, ThreadGrain.MaxTail + 1).Select(i => (long)i), (await ReadAllSinceAsync(thread, 0)).Select(m => m.Seq));
    }

    /// <summary>Sends <paramref name="count"/> messages from <paramref name="sender"/>, many in flight at once (the grain takes them one by one).</summary>
    private static async Task SendManyAsync(IThreadGrain thread, string sender, int count, string idPrefix, string? textPrefix = null)
    {
        const int InFlight = 64;
        for (var start = 0; start < count; start += InFlight)
        {
            var batch = Enumerable.Range(start, Math.Min(InFlight, count - start))
                .Select(i => thread.SendAsync(sender, Text($"{idPrefix}{i:D6}", $"{textPrefix ?? "Message "}{i:D6}")));
            foreach (var sent in await Task.WhenAll(batch))
            {
                Assert.True(sent.Ok, sent.Error?.Message);
            }
        }
    }

    /// <summary>Collects every idle activation and waits until the threads' grains are gone.</summary>
    private async Task DeactivateAsync(params string[] threadIds)
    {
        var management = fixture.Cluster.Client.GetGrain<IManagementGrain>(0);
        await Huddle.Testing.Eventually.Until(
            async () =>
            {
                await management.ForceActivationCollection(TimeSpan.Zero);
                return (await management.GetActiveGrains(GrainType.Create("thread"))).All(id => !threadIds.Contains(id.Key.ToString()));
            },
            Wait,
            "the threads' grains to deactivate");
    }
}
