using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Chat;
using Huddle.Contracts.Common;
using Huddle.Contracts.Live;
using Huddle.Contracts.Users;
using Huddle.Grains.Chat;

namespace Huddle.Grains.Tests;

/// <summary>A thread's history: edits keep the earlier text, deletes leave a trace and stop serving the text, both idempotent log entries.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ThreadHistoryTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private sealed record Setup(string TeamId, string Pcp, string Bhc, string Outsider)
    {
        public string TeamThread => ThreadIds.ForTeam(TeamId)!;
    }

    private async Task<Setup> NewAsync()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var s = new Setup($"team-h-{suffix}", $"u-pcp-{suffix}", $"u-bhc-{suffix}", $"u-out-{suffix}");
        await fixture.Grains.GetGrain<ICareTeamGrain>(s.TeamId).SetProfileAsync(new CareTeamProfile(s.TeamId, "Team", CareTeamStatus.Active,
            [new TeamMember(s.Pcp, "Dr. P", CareTeamRole.Pcp), new TeamMember(s.Bhc, "B. H.", CareTeamRole.Bhc)], [], "America/Chicago"));
        var other = $"team-ho-{suffix}";
        await fixture.Grains.GetGrain<ICareTeamGrain>(other).SetProfileAsync(new CareTeamProfile(other, "Other", CareTeamStatus.Active,
            [new TeamMember(s.Outsider, "O. T.", CareTeamRole.Nurse)], [], "America/Chicago"));
        foreach (var user in new[] { s.Pcp, s.Bhc, s.Outsider })
        {
            await fixture.Grains.GetGrain<IUserGrain>(user).SetAsync(new UserProfile(user, user, UserKind.Clinician, null, []));
        }

        return s;
    }

    private IThreadGrain Thread(string threadId) => fixture.Grains.GetGrain<IThreadGrain>(threadId);

    private static async Task SendManyAsync(IThreadGrain thread, string sender, int count, string idPrefix)
    {
        for (var i = 0; i < count; i++)
        {
            Assert.True((await thread.SendAsync(sender, new SendMessage($"{idPrefix}{i:D5}", $"filler {i}"))).Ok);
        }
    }

    /// <summary>Every entry after <paramref name="since"/> as a resuming reader gets them, page by page; fails on a reset.</summary>
    private static async Task<List<ThreadMessage>> ReadAllSinceAsync(IThreadGrain thread, long since, int limit = 256)
    {
        var entries = new List<ThreadMessage>();
        var epoch = FeedPosition.AnyEpoch;
        for (var more = true; more;)
        {
            var page = await thread.ReadSinceAsync(IThreadGrain.Feed, since, epoch, limit);
            Assert.False(page.Reset, $"a reset after seq {since}");
            entries.AddRange(page.Changes.Select(c => ((ThreadChange)c.For(FeedAudiences.Members)!).Message!));
            (since, epoch, more) = (page.Seq, page.Epoch, page.More);
        }

        return entries;
    }

    /// <summary>Everything a member can be served of the thread: the open's snapshot, a resume from 0, and scrolling back from the end.</summary>
    private static async Task<List<ThreadMessage>> EverythingServedAsync(IThreadGrain thread, string userId)
    {
        var served = new List<ThreadMessage>();
        var open = (await thread.OpenAsync(IThreadGrain.Feed, userId, null)).Value!;
        served.AddRange(((ThreadSnapshot)open.Snapshot!).Messages);
        var resumed = (await thread.OpenAsync(IThreadGrain.Feed, userId, 0, null, open.Epoch, 1000)).Value!;
        served.AddRange(resumed.Changes.Cast<ThreadChange>().Select(c => c.Message!));
        served.AddRange(await ReadAllSinceAsync(thread, 0));
        for (var (before, more) = (open.Seq + 1, true); more;)
        {
            var page = (await thread.ReadBeforeAsync(userId, before, ChatLimits.MaxHistoryRead)).Value!;
            served.AddRange(page.Messages);
            (before, more) = (page.Messages.IsEmpty ? 1 : page.Messages[0].Seq, page.More);
        }

        return served;
    }

    [Fact]
    public async Task An_edit_keeps_the_earlier_text_and_members_read_the_history_also_once_the_message_left_the_row()
    {
        var s = await NewAsync();
        var thread = Thread(s.TeamThread);
        Assert.Equal(1, (await thread.SendAsync(s.Pcp, new SendMessage("m-1", "See her at 3?"))).Value!.Seq);
        var firstEdit = (await thread.EditAsync(s.Pcp, new EditMessage("e-1", 1, "See her at 4?"))).Value!;
        Assert.Equal(2, firstEdit.Seq);

        // The message leaves the row, then is edited again: its page is read, the edit found through its amendment page.
        await SendManyAsync(thread, s.Bhc, 4 * ThreadGrain.PageSize, "f-");
        fixture.Clock.Advance(TimeSpan.FromMinutes(5));
        var secondEdit = (await thread.EditAsync(s.Pcp, new EditMessage("e-2", 1, "See her at 4:30?"))).Value!;
        await SendManyAsync(thread, s.Bhc, 4 * ThreadGrain.PageSize, "g-");

        // Once as the activation holds it, once as a new activation reads it from storage.
        for (var round = 0; round < 2; round++)
        {
            var history = (await thread.ReadEditsAsync(s.Bhc, 1)).Value!;
            Assert.Equal(["See her at 3?", "See her at 4?", "See her at 4:30?"], history.Versions.Select(v => v.Text));
            Assert.Equal([1L, 2L, secondEdit.Seq], history.Versions.Select(v => v.EntrySeq));
            Assert.Equal(s.Pcp, history.SenderId);
            Assert.Null(history.DeletedBy);

            // Every read serves the message as it is now, marked edited, and the edits as entries of the log.
            var served = await EverythingServedAsync(thread, s.Bhc);
            Assert.All(served.Where(m => m.Seq == 1), m =>
            {
                Assert.Equal("See her at 4:30?", m.Text);
                Assert.Equal(secondEdit.Seq, m.LastEdit);
                Assert.Equal(secondEdit.At, m.EditedAt);
            });
            Assert.Contains(served, m => m.Seq == 1);
            var edits = (await ReadAllSinceAsync(thread, 0)).Where(m => m.Kind == ThreadEntryKind.Edit).ToList();
            Assert.Equal([(2L, 1L, "See her at 4?"), (secondEdit.Seq, 1L, "See her at 4:30?")], edits.Select(e => (e.Seq, e.Refers, e.Text)));
            await DeactivateAsync(s.TeamThread);
        }
    }

    [Fact]
    public async Task Only_the_sender_edits_or_deletes_a_non_member_cannot_even_read_the_history_and_nothing_is_stored()
    {
        var s = await NewAsync();
        var thread = Thread(s.TeamThread);
        await thread.SendAsync(s.Pcp, new SendMessage("m-1", "Original"));
        await thread.SendAsync(s.Bhc, new SendMessage("m-2", "Reply"));
        await thread.EditAsync(s.Bhc, new EditMessage("e-0", 2, "Reply, edited"));

        Assert.Equal(ErrorCodes.Forbidden, (await thread.EditAsync(s.Bhc, new EditMessage("e-1", 1, "Hijacked"))).Error?.Code);
        Assert.Equal(ErrorCodes.Forbidden, (await thread.DeleteAsync(s.Bhc, new DeleteMessage("d-1", 1))).Error?.Code);
        Assert.Equal(ErrorCodes.Forbidden, (await thread.EditAsync(s.Outsider, new EditMessage("e-2", 1, "Hijacked"))).Error?.Code);
        Assert.Equal(ErrorCodes.Forbidden, (await thread.DeleteAsync(s.Outsider, new DeleteMessage("d-2", 1))).Error?.Code);
        Assert.Equal(ErrorCodes.Forbidden, (await thread.ReadEditsAsync(s.Outsider, 2)).Error?.Code);
        Assert.Equal(ErrorCodes.ValidationFailed, (await thread.EditAsync(s.Pcp, new EditMessage("e-3", 1, new string('a', ChatLimits.MaxText + 1)))).Error?.Code);
        Assert.Equal(ErrorCodes.ValidationFailed, (await thread.EditAsync(s.Pcp, new EditMessage("e-3", 1, "  "))).Error?.Code);
        Assert.Equal(ErrorCodes.ValidationFailed, (await thread.EditAsync(s.Pcp, new EditMessage("e 3", 1, "ok"))).Error?.Code);
        Assert.Equal(ErrorCodes.NotFound, (await thread.EditAsync(s.Pcp, new EditMessage("e-4", 99, "ok"))).Error?.Code);
        // An edit entry is no message to edit.
        Assert.Equal(ErrorCodes.NotFound, (await thread.EditAsync(s.Bhc, new EditMessage("e-5", 3, "ok"))).Error?.Code);

        var entries = await ReadAllSinceAsync(thread, 0);
        Assert.Equal([1L, 2L, 3L], entries.Select(e => e.Seq));
        Assert.Equal("Original", entries[0].Text);
        Assert.Null(entries[0].EditedAt);
        Assert.Equal(["Original"], (await thread.ReadEditsAsync(s.Bhc, 1)).Value!.Versions.Select(v => v.Text));
    }

    [Fact]
    public async Task An_edit_or_delete_resent_with_its_client_id_is_one_entry_also_after_it_left_the_row()
    {
        var s = await NewAsync();
        var thread = Thread(s.TeamThread);
        await thread.SendAsync(s.Pcp, new SendMessage("m-1", "Original"));
        await thread.SendAsync(s.Pcp, new SendMessage("m-2", "To recall"));
        var edits = new List<MessageSent>();
        var deletes = new List<MessageSent>();
        for (var i = 0; i < 3; i++)
        {
            edits.Add((await thread.EditAsync(s.Pcp, new EditMessage("e-1", 1, "Edited"))).Value!);
            deletes.Add((await thread.DeleteAsync(s.Pcp, new DeleteMessage("d-1", 2))).Value!);
        }

        Assert.Single(edits.Distinct());
        Assert.Single(deletes.Distinct());
        Assert.Equal((3L, 4L), (edits[0].Seq, deletes[0].Seq));
        Assert.Equal(ErrorCodes.OpIdReused, (await thread.EditAsync(s.Pcp, new EditMessage("e-1", 1, "Other text"))).Error?.Code);
        Assert.Equal(ErrorCodes.OpIdReused, (await thread.EditAsync(s.Pcp, new EditMessage("m-1", 1, "Edited"))).Error?.Code);
        // A delete under another id of a message already deleted changes nothing.
        Assert.Equal(ErrorCodes.InvalidState, (await thread.DeleteAsync(s.Pcp, new DeleteMessage("d-2", 2))).Error?.Code);

        await SendManyAsync(thread, s.Bhc, 4 * ThreadGrain.PageSize, "f-");
        await DeactivateAsync(s.TeamThread);
        Assert.Equal(edits[0], (await thread.EditAsync(s.Pcp, new EditMessage("e-1", 1, "Edited"))).Value);
        Assert.Equal(deletes[0], (await thread.DeleteAsync(s.Pcp, new DeleteMessage("d-1", 2))).Value);
        var entries = await ReadAllSinceAsync(thread, 0);
        Assert.Equal(Enumerable.Range(1, 4 + (4 * ThreadGrain.PageSize)).Select(i => (long)i), entries.Select(e => e.Seq));
        Assert.Single(entries, e => e.Kind == ThreadEntryKind.Edit);
        Assert.Single(entries, e => e.Kind == ThreadEntryKind.Delete);
    }

    [Fact]
    public async Task A_delete_leaves_a_trace_and_the_text_is_served_nowhere_snapshot_resume_or_history_pages()
    {
        var s = await NewAsync();
        var thread = Thread(s.TeamThread);
        await thread.SendAsync(s.Pcp, new SendMessage("m-1", "Keep this"));
        await thread.SendAsync(s.Pcp, new SendMessage("m-2", "Wrong patient: secret-one"));
        await thread.EditAsync(s.Pcp, new EditMessage("e-1", 2, "Still wrong: secret-two"));
        // A reader that saw the message live resumes from before it: the ring held its text.
        var watcher = (await thread.OpenAsync(IThreadGrain.Feed, s.Bhc, null)).Value!;
        fixture.Clock.Advance(TimeSpan.FromMinutes(2));
        var deleted = (await thread.DeleteAsync(s.Pcp, new DeleteMessage("d-1", 2))).Value!;

        void Check(List<ThreadMessage> served, string where)
        {
            Assert.False(served.Any(m => m.Text.Contains("secret", StringComparison.Ordinal)), $"a deleted text was served ({where})");
            Assert.Contains(served, m => m.Seq == 2);
            Assert.All(served.Where(m => m.Seq == 2), m =>
            {
                Assert.Equal("", m.Text);
                Assert.Equal(s.Pcp, m.DeletedBy);
                Assert.Equal(deleted.At, m.DeletedAt);
                Assert.Equal(s.Pcp, m.SenderId);
            });
            Assert.All(served.Where(m => m.Seq == 1), m => Assert.Equal("Keep this", m.Text));
        }

        var resumed = (await thread.OpenAsync(IThreadGrain.Feed, s.Bhc, 0, null, watcher.Epoch)).Value!;
        Check([.. resumed.Changes.Cast<ThreadChange>().Select(c => c.Message!)], "resume from the ring's reach");
        Check(await EverythingServedAsync(thread, s.Bhc), "in the row");
        var history = (await thread.ReadEditsAsync(s.Bhc, 2)).Value!;
        Assert.Empty(history.Versions);
        Assert.Equal((s.Pcp, deleted.At), (history.DeletedBy, history.DeletedAt));
        Assert.Equal(ErrorCodes.InvalidState, (await thread.EditAsync(s.Pcp, new EditMessage("e-2", 2, "Again"))).Error?.Code);

        // Once the message, its edit and its delete are in history pages, and after a reactivation.
        await SendManyAsync(thread, s.Bhc, 4 * ThreadGrain.PageSize, "f-");
        Check(await EverythingServedAsync(thread, s.Bhc), "in pages");
        await DeactivateAsync(s.TeamThread);
        Check(await EverythingServedAsync(thread, s.Bhc), "in pages, reactivated");
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
