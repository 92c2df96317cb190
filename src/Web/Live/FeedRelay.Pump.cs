using Huddle.Contracts.Live;

namespace Huddle.Web.Live;

/// <summary>
/// The pump: each feed's work, one item at a time, in order, on the default scheduler. It follows
/// the owner's position: the next seq of the stream's epoch is relayed; a gap, a renewal ahead of the
/// stream or changes shed by a full queue are caught up with <c>ReadSince</c>, page by page; a new
/// epoch, or a catch-up the owner cannot give, tells every watcher to re-read; anything older (a
/// duplicate, a late renewal's answer, a change of an epoch already left) is ignored.
/// </summary>
public sealed partial class FeedRelay
{
    private async Task PumpAsync(RelayedFeed feed)
    {
        await foreach (var work in feed.Reader.ReadAllAsync())
        {
            feed.Taken(work);
            try
            {
                switch (work)
                {
                    case FeedWork.Deliver deliver:
                        await DeliverAsync(feed, deliver.Change);
                        break;
                    case FeedWork.Hint hint:
                        // Not awaited: the pump goes on while the connections take it.
                        _ = Hint(feed, hint.Audience, hint.Payload).ContinueWith(static (_, sent) => ((TaskCompletionSource)sent!).TrySetResult(), hint.Sent,
                            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                        break;
                    case FeedWork.Check check:
                        await CheckAsync(feed, check.Position);
                        break;
                    case FeedWork.Join join:
                        await JoinAsync(feed, join.Watch);
                        join.Done.TrySetResult(new FeedPosition(feed.Epoch, feed.LastSeq));
                        break;
                    case FeedWork.Leave leave:
                        await RemoveAsync(feed, leave.Watch);
                        leave.Done.TrySetResult(new FeedPosition(feed.Epoch, feed.LastSeq));
                        break;
                    case FeedWork.Evict evict:
                        await EvictAsync(feed, evict.Watch, feed.LastSeq);
                        break;
                    case FeedWork.Drained:
                        await ResetAllAsync(feed, feed.LastSeq, "slow consumer");
                        break;
                    case FeedWork.CatchUp next:
                        await CatchUpPageAsync(feed, next.Reason, next.Target);
                        break;
                }

                if (feed.LastSeq >= 0 && feed.TakeOverflow())
                {
                    // Changes were shed while the queue was full: fetch them again, or reset.
                    await CatchUpAsync(feed, "overflow");
                }
            }
            catch (Exception ex)
            {
                // One failure must not stop this feed's pump, nor leave a caller waiting.
                LogPumpFailed(ex, feed.Id.ToString());
                work.Abandon(new FeedPosition(feed.Epoch, feed.LastSeq));
            }
        }
    }

    private async Task DeliverAsync(RelayedFeed feed, FeedChange change)
    {
        if (feed.LastSeq < 0)
        {
            // Arrived before the subscribe call returned: it starts the stream.
            feed.EnterEpoch(change.Epoch);
            await DispatchAsync(feed, change);
        }
        else if (!feed.InEpoch(change.Epoch))
        {
            // From an epoch already left: late. Otherwise the owner started a new one.
            if (!feed.Retired(change.Epoch))
            {
                await NewEpochAsync(feed, change.Position);
            }
        }
        else if (change.Seq == feed.LastSeq + 1)
        {
            await DispatchAsync(feed, change);
        }
        else if (change.Seq > feed.LastSeq + 1)
        {
            await CatchUpAsync(feed, "gap", change.Seq);
        }
    }

    /// <summary>
    /// The owner's position from a subscribe or renewal. Within the stream's epoch a newer seq is
    /// caught up and a smaller one is an answer that arrived after newer changes (late, not "went back").
    /// </summary>
    private async Task CheckAsync(RelayedFeed feed, FeedPosition position)
    {
        if (feed.LastSeq < 0)
        {
            // Nothing was relayed yet: the stream simply starts here.
            feed.EnterEpoch(position.Epoch);
            feed.LastSeq = position.Seq;
        }
        else if (feed.InEpoch(position.Epoch))
        {
            if (position.Seq > feed.LastSeq)
            {
                await CatchUpAsync(feed, "renewal", position.Seq);
            }
        }
        else if (!feed.Retired(position.Epoch))
        {
            await NewEpochAsync(feed, position);
        }
    }

    /// <summary>
    /// The owner started a new epoch (a re-activation that lost its ring, or state that went back):
    /// nothing relayed before can be continued, so every watcher re-reads, once, and the stream goes
    /// on from <paramref name="position"/>.
    /// </summary>
    private Task NewEpochAsync(RelayedFeed feed, FeedPosition position)
    {
        LogNewEpoch(feed.Id.ToString(), position.Epoch, position.Seq, feed.Epoch);
        feed.EnterEpoch(position.Epoch);
        feed.LastSeq = position.Seq;
        return ResetAllAsync(feed, position.Seq, "new epoch");
    }

    /// <summary>
    /// Reads from the owner what this host has not relayed, a page at a time until the owner has no
    /// more, and relays it; or resets when the owner cannot give it. <paramref name="target"/> is the
    /// seq the stream is known to reach, should the owner not answer. Each page after the first is a
    /// work item of its own at the back of the queue, so joins and leaves that came meanwhile are
    /// answered between pages (a join answers with the seq relayed so far, and gets every later page)
    /// instead of after a catch-up of thousands of changes. While one is under way a gap, a renewal
    /// ahead or shed changes start none: its pages read on until the owner has no more.
    /// </summary>
    private Task CatchUpAsync(RelayedFeed feed, string reason, long? target = null) =>
        feed.CatchingUp ? Task.CompletedTask : CatchUpPageAsync(feed, reason, target);

    private async Task CatchUpPageAsync(RelayedFeed feed, string reason, long? target)
    {
        feed.CatchingUp = false;
        try
        {
            var from = feed.LastSeq;
            var missed = await feed.Owner.ReadSinceAsync(feed.Id.Kind, from, feed.Epoch, _options.CatchUpPage);
            if (!feed.InEpoch(missed.Epoch))
            {
                await NewEpochAsync(feed, missed.Position);
                return;
            }

            if (missed.Reset)
            {
                LogReset(feed.Id.ToString(), missed.Seq, reason);
                feed.EnterEpoch(missed.Epoch);
                feed.LastSeq = missed.Seq;
                await ResetAllAsync(feed, missed.Seq, reason);
                return;
            }

            foreach (var change in missed.Changes)
            {
                if (change.Seq == feed.LastSeq + 1)
                {
                    await DispatchAsync(feed, change);
                }
            }

            // A page that moved nothing ends the read: the next change or renewal tries again.
            if (missed.More && feed.LastSeq != from)
            {
                feed.CatchingUp = true;
                feed.Enqueue(new FeedWork.CatchUp(reason, target));
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The owner cannot say what was missed: every watcher re-reads.
            LogCatchUpFailed(ex, feed.Id.ToString());
            feed.LastSeq = Math.Max(feed.LastSeq, target ?? feed.LastSeq);
            await ResetAllAsync(feed, feed.LastSeq, reason);
        }
    }
}
