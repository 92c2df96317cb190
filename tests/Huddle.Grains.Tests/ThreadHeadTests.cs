using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Chat;
using Huddle.Contracts.Patients;
using Huddle.Contracts.Users;
using Huddle.Grains.Chat;
using Huddle.Testing;

namespace Huddle.Grains.Tests;

/// <summary>
/// A thread's head told to its members' own grains is derivable: a head-only move of a thread marked
/// moving costs a member's row no write, and a member's grain that lost the heads it held in memory asks
/// its marked threads their heads on activation instead of showing a low count until the next message.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ThreadHeadTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private IThreadListGrain Own(string userId) => fixture.Grains.GetGrain<IThreadListGrain>(userId);

    private int RowWrites(string userId) => MeasuredGrainStorage.Writes.GetValueOrDefault(Own(userId).GetGrainId());

    /// <summary>A team of <paramref name="size"/> clinicians and a patient of theirs: returns the patient's thread and the members.</summary>
    private async Task<(string ThreadId, string[] Members)> NewAsync(int size)
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var (teamId, patientId) = ($"team-{suffix}", $"p-{suffix}");
        var members = Enumerable.Range(0, size).Select(i => $"u-{i:D2}-{suffix}").ToArray();
        await fixture.Grains.GetGrain<ICareTeamGrain>(teamId).SetProfileAsync(new CareTeamProfile(teamId, "Team", CareTeamStatus.Active,
            [.. members.Select((m, i) => new TeamMember(m, $"Clinician {i}", i == 0 ? CareTeamRole.Pcp : CareTeamRole.Nurse))], [], "America/Chicago"));
        await fixture.Grains.GetGrain<IPatientGrain>(patientId).SetAsync(new PatientProfile(patientId, "Pat Ient", "P.I.", "Exam 1", [], [teamId]));
        foreach (var user in members)
        {
            await fixture.Grains.GetGrain<IUserGrain>(user).SetAsync(new UserProfile(user, user, UserKind.Clinician, null, []));
        }

        return (ThreadIds.ForPatient(patientId)!, members);
    }

    private async Task SendAsync(string threadId, string from, string id) =>
        Assert.True((await fixture.Grains.GetGrain<IThreadGrain>(threadId).SendAsync(from, new SendMessage(id, $"message {id}"))).Ok);

    private async Task<long?> UnreadAsync(string userId, string threadId) =>
        ((UnreadSnapshot)(await Own(userId).OpenAsync(IThreadListGrain.UnreadFeed, userId, null)).Value!.Snapshot!)
            .Threads.SingleOrDefault(t => t.Thread.ThreadId == threadId)?.Unread;

    private Task UnreadBecomesAsync(string userId, string threadId, long unread, string what) =>
        Eventually.Until(async () => await UnreadAsync(userId, threadId) == unread, Wait, what);

    [Fact]
    public async Task Messages_to_a_25_member_thread_cost_each_reader_one_row_write_not_one_per_message()
    {
        const int Messages = 10;
        var (threadId, members) = await NewAsync(25);
        var readers = members.Skip(1).ToArray();
        var before = readers.ToDictionary(r => r, RowWrites);

        for (var i = 1; i <= Messages; i++)
        {
            await SendAsync(threadId, members[0], $"m-{i}");
            // The next send waits for this head to arrive, so each message is a head move of its own.
            await UnreadBecomesAsync(readers[0], threadId, i, $"the first reader's count of {i}");
        }

        foreach (var reader in readers)
        {
            await UnreadBecomesAsync(reader, threadId, Messages, $"{reader}'s count of {Messages}");
        }

        // The first head (the thread new to the row, and marked moving): one write; the next nine: none.
        // Written per tell, it was 10 each.
        var writes = readers.Select(r => RowWrites(r) - before[r]).ToList();
        Assert.True(writes.All(w => w <= 1), $"readers' row writes for {Messages} messages: {string.Join(", ", writes)}");
    }

    [Fact]
    public async Task A_members_grain_that_lost_the_heads_it_held_in_memory_shows_the_true_count_without_another_message()
    {
        var (threadId, members) = await NewAsync(3);
        var (pcp, bhc) = (members[0], members[1]);
        var before = RowWrites(bhc);
        for (var i = 1; i <= 3; i++)
        {
            await SendAsync(threadId, pcp, $"m-{i}");
            await UnreadBecomesAsync(bhc, threadId, i, $"the BHC's count of {i}");
        }

        // Only head 1 was written (with the mark): heads 2 and 3 were held in memory, and the activation
        // goes as on a host's crash (a deactivation writes nothing). The thread told them: it tells no more.
        Assert.Equal(1, RowWrites(bhc) - before);
        await LoseAsync(Own(bhc).GetGrainId());
        // The first asks fail (the thread unavailable): asked again after a backoff.
        var injected = Faults.Injected;
        Faults.FailCalls(nameof(IThreadGrain.HeadForAsync), threadId, 2);
        await UnreadBecomesAsync(bhc, threadId, 3, "the BHC's count of 3 after its grain came back");
        Assert.True(Faults.Injected >= injected + 2, "the first two asks failed");

        // Both the member's grain and the thread's go.
        await SendAsync(threadId, pcp, "m-4");
        await UnreadBecomesAsync(bhc, threadId, 4, "the BHC's count of 4");
        await LoseAsync(fixture.Grains.GetGrain<IThreadGrain>(threadId).GetGrainId(), Own(bhc).GetGrainId());
        await UnreadBecomesAsync(bhc, threadId, 4, "the BHC's count of 4 after both grains came back");
        await UnreadBecomesAsync(members[2], threadId, 4, "the nurse's count of 4, their grain never lost");
    }

    [Fact]
    public async Task Reading_up_to_the_head_drops_the_mark_and_the_next_message_marks_again_with_one_write()
    {
        var (threadId, members) = await NewAsync(3);
        var (pcp, bhc) = (members[0], members[1]);
        await SendAsync(threadId, pcp, "m-1");
        await UnreadBecomesAsync(bhc, threadId, 1, "the BHC's count of 1");
        var marked = RowWrites(bhc);

        // A read is a cursor move: written before its reply, and the thread, caught up, is no longer marked.
        Assert.Equal(0, (await Own(bhc).ReportAsync(threadId, 1, 1)).Value!.Unread);
        await UnreadBecomesAsync(bhc, threadId, 0, "the BHC's count of 0");
        Assert.Equal(marked + 1, RowWrites(bhc));

        // Not marked, the next head is written (marking the thread again); the one after is not.
        await SendAsync(threadId, pcp, "m-2");
        await UnreadBecomesAsync(bhc, threadId, 1, "the BHC's count of 1 again");
        Assert.Equal(marked + 2, RowWrites(bhc));
        await SendAsync(threadId, pcp, "m-3");
        await UnreadBecomesAsync(bhc, threadId, 2, "the BHC's count of 2");
        Assert.Equal(marked + 2, RowWrites(bhc));

        // So a loss after it still converges: the mark is in the row.
        await LoseAsync(Own(bhc).GetGrainId());
        await UnreadBecomesAsync(bhc, threadId, 2, "the BHC's count of 2 after its grain came back");
    }

    [Fact]
    public async Task A_clinician_taken_off_the_team_is_refused_even_a_repeated_cursor_report_while_their_access_is_asked()
    {
        var (threadId, members) = await NewAsync(3);
        var (pcp, bhc, teamId) = (members[0], members[1], $"team-{members[0].Split('-')[^1]}");
        await fixture.Grains.GetGrain<IUserGrain>(bhc).SetAsync(new UserProfile(bhc, bhc, UserKind.Clinician, null, [teamId]));
        await SendAsync(threadId, pcp, "m-1");
        await UnreadBecomesAsync(bhc, threadId, 1, "the BHC's count of 1");
        Assert.True((await Own(bhc).ReportAsync(threadId, 1, 1)).Ok);

        // Taken off the team: their own grain asks the thread whether it is still theirs, and the asks fail for now.
        const int Many = 1_000;
        Faults.FailCalls(nameof(IThreadGrain.HeadForAsync), threadId, Many);
        try
        {
            await fixture.TakeOffTeamAsync(teamId, bhc);
            await Eventually.Until(() => Task.FromResult(Faults.CallsLeft(nameof(IThreadGrain.HeadForAsync), threadId) < Many), Wait, "the thread to be asked");

            // The same report again is not answered from what their grain held: the thread refuses it.
            var again = await Own(bhc).ReportAsync(threadId, 1, 1);
            Assert.Equal(Huddle.Contracts.Common.ErrorCodes.Forbidden, again.Error?.Code);
        }
        finally
        {
            Faults.FailCalls(nameof(IThreadGrain.HeadForAsync), threadId, 0);
        }
    }

    [Fact]
    public async Task A_messages_tells_to_its_members_grains_wait_the_delivery_lead_and_then_arrive()
    {
        var (threadId, members) = await NewAsync(3);
        var (pcp, bhc) = (members[0], members[1]);
        // Nothing counted before the message.
        Assert.Null(await UnreadAsync(bhc, threadId));
        // The longest lead a deployment may set, read when the thread activates (its first call is the send
        // below); the collection's tests run one at a time.
        fixture.Chat.DeliveryLead = ChatOptions.MaxDeliveryLead;
        try
        {
            // Timed from before the send, so a read that ended within the lead of this watch ended within the
            // lead of the thread's timer too (armed before the reply).
            var sent = System.Diagnostics.Stopwatch.StartNew();
            await SendAsync(threadId, pcp, "m-1");
            // Stored and published (the reply comes after both), and for 400 ms no tell reached the reader's
            // grain: without the lead it arrives within milliseconds, and these reads see it. A read that ended
            // after the lead (a stalled machine) may see it, and says nothing.
            var (watched, inTime) = (TimeSpan.Zero, 0);
            while (sent.Elapsed < TimeSpan.FromMilliseconds(400))
            {
                var unread = await UnreadAsync(bhc, threadId);
                watched = sent.Elapsed;
                if (watched < fixture.Chat.DeliveryLead)
                {
                    Assert.True(unread is null, $"the BHC's count was {unread} {watched.TotalMilliseconds:0} ms after the send");
                    inTime++;
                }

                await Task.Delay(20);
            }

            Assert.True(inTime > 0, $"no read ended within the lead (the last {watched} after the send): nothing was checked");
            await UnreadBecomesAsync(bhc, threadId, 1, "the BHC's count of 1 after the lead");
            await UnreadBecomesAsync(members[2], threadId, 1, "the nurse's count of 1 after the lead");
        }
        finally
        {
            fixture.Chat.DeliveryLead = new ChatOptions().DeliveryLead;
        }
    }

    [Fact]
    public async Task A_thread_that_lost_its_stored_state_numbers_again_and_its_members_counts_and_receipts_follow_the_new_numbering()
    {
        var (threadId, members) = await NewAsync(3);
        var (pcp, bhc) = (members[0], members[1]);
        var thread = fixture.Grains.GetGrain<IThreadGrain>(threadId);
        for (var i = 1; i <= 3; i++)
        {
            await SendAsync(threadId, pcp, $"m-{i}");
        }

        await UnreadBecomesAsync(bhc, threadId, 3, "the BHC's count of 3");
        Assert.True((await Own(bhc).ReportAsync(threadId, 3, 3)).Ok);
        await UnreadBecomesAsync(bhc, threadId, 0, "the BHC's count after reading all three");
        var epoch = (await thread.OpenAsync(IThreadGrain.Feed, pcp, null)).Value!.Position.Epoch;

        // The thread's row is lost (storage restored without it); its next activation numbers from 1 again,
        // in a new epoch. The members' grains still hold head 3 and read 3 of the old numbering.
        MeasuredGrainStorage.LoseAtNextRead(thread.GetGrainId());
        await LoseAsync(thread.GetGrainId());
        // The BHC's grain hears no head for now: their page's report comes first.
        Faults.FailCalls(nameof(IThreadListGrain.TakeHeadAsync), bhc, 1000);
        await SendAsync(threadId, pcp, "n-1");
        await SendAsync(threadId, pcp, "n-2");
        var opened = (await thread.OpenAsync(IThreadGrain.Feed, pcp, null)).Value!;
        Assert.Equal(2, opened.Position.Seq);
        Assert.NotEqual(epoch, opened.Position.Epoch);

        // The nurse's grain is told the new heads: before, heads 1 and 2 were older than the 3 held, and the
        // count stayed at its old value for good.
        await UnreadBecomesAsync(members[2], threadId, 2, "the nurse's count of the two new messages");

        // The BHC's page, which re-read the thread in its new epoch, reports reading seq 1 of it: below the 3
        // held, so before it was answered as late (the old head, nothing stored); a report of the new epoch is
        // checked with the thread, which replaces the old numbering's entry.
        var cursors = (await Own(bhc).ReportAsync(threadId, 2, 1, opened.Position.Epoch)).Value!;
        Assert.Equal((2L, 1L, 2L, 1L), (cursors.Delivered, cursors.Read, cursors.Head, cursors.Unread));
        // A page still on the old numbering reports its seq 2 read: not the new seq 2, so nothing moves.
        var stale = (await Own(bhc).ReportAsync(threadId, 2, 2, epoch)).Value!;
        Assert.Equal((2L, 1L, 1L), (stale.Delivered, stale.Read, stale.Unread));
        Faults.FailCalls(nameof(IThreadListGrain.TakeHeadAsync), bhc, 0);
        await UnreadBecomesAsync(bhc, threadId, 1, "the BHC's count after reading the first new message");

        // The thread's receipts count the BHC's cursors in the new numbering too (not read 3).
        await Eventually.Until(async () =>
            ((ThreadReceipts)(await thread.OpenAsync(IThreadGrain.ReceiptsFeed, pcp, null)).Value!.Snapshot!).Cursors
                .SingleOrDefault(c => c.UserId == bhc) is { Delivered: 2, Read: 1 }, Wait, "the receipts to show the BHC at delivered 2, read 1");
    }

    /// <summary>Deactivates the grains and waits until no silo holds them (the next call activates them anew, from their rows).</summary>
    private async Task LoseAsync(params GrainId[] grains)
    {
        var management = fixture.Grains.GetGrain<IManagementGrain>(0);
        foreach (var grain in grains)
        {
            await management.DeactivateGrain(grain);
        }

        await Eventually.Until(async () =>
        {
            foreach (var grain in grains)
            {
                if ((await management.GetActiveGrains(grain.Type)).Contains(grain))
                {
                    return false;
                }
            }

            return true;
        }, Wait, "the grains to deactivate");
    }

    [Fact]
    public async Task Past_500_threads_the_quietest_leaves_the_counts_and_comes_back_with_its_cursors_when_told_a_head_again()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var user = $"u-bound-{suffix}";
        var own = Own(user);
        string ThreadOf(int i) => $"tm.t-{suffix}-{i}";
        ThreadHead Head(int i, long head, long read) =>
            new(new ThreadRef(ThreadOf(i), ThreadKind.Team, $"t-{suffix}-{i}"), head, head, new MemberCursor(user, read, null, read, null, read));
        async Task<UnreadSnapshot> CountsAsync() => (UnreadSnapshot)(await own.OpenAsync(IThreadListGrain.UnreadFeed, user, null)).Value!.Snapshot!;

        // 501 threads told a head in turn (each quieter than the next), 6 unread in each.
        for (var i = 0; i <= ThreadListGrain.MaxCursors; i++)
        {
            fixture.Clock.Advance(TimeSpan.FromSeconds(1));
            await own.TakeHeadAsync(Head(i, 10, 4));
        }

        // The quietest, the first, left the counts; the newest is in them; 500 threads, 6 each.
        await Eventually.Until(async () => await CountsAsync() is { Threads.Length: ThreadListGrain.MaxCursors } c && c.Threads.All(t => t.Thread.ThreadId != ThreadOf(0)),
            Wait, "the first thread to leave the counts");
        var counts = await CountsAsync();
        Assert.Contains(counts.Threads, t => t.Thread.ThreadId == ThreadOf(ThreadListGrain.MaxCursors) && t.Unread == 6);
        Assert.Equal(ThreadListGrain.MaxCursors * 6, counts.Total);

        // The first thread tells a head again with the cursor its copy holds (read 7 of 11): it comes back with
        // that cursor, and the thread now quiet the longest, the second, leaves instead.
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(7, (await own.TakeHeadAsync(Head(0, 11, 7))).Read);
        await Eventually.Until(
            async () => await CountsAsync() is { Threads.Length: ThreadListGrain.MaxCursors } c
                && c.Threads.Any(t => t.Thread.ThreadId == ThreadOf(0) && t.Unread == 4) && c.Threads.All(t => t.Thread.ThreadId != ThreadOf(1)),
            Wait, "the first thread back with 4 unread and the second gone");
        Assert.Equal(((ThreadListGrain.MaxCursors - 1) * 6) + 4, (await CountsAsync()).Total);
    }
}
