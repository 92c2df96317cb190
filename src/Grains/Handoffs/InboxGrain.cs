using System.Collections.Immutable;
using Huddle.Contracts.Chat;
using Huddle.Contracts.Common;
using Huddle.Contracts.Handoffs;
using Huddle.Contracts.Live;
using Huddle.Grains.Common;
using Huddle.Grains.Live;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Huddle.Grains.Handoffs;

/// <summary>A clinician's handoff inbox: the feed <c>inbox:{userId}</c>, watched by that user alone.</summary>
public sealed class InboxGrain(
    [PersistentState(StorageNames.InboxState, StorageNames.Huddle)] IPersistentState<HandoffFeedState> state,
    HuddleClock clock,
    IOptions<FeedOptions> feedOptions,
    ILogger<InboxGrain> logger) : HandoffFeedGrain(state, IInboxGrain.Feed, feedOptions.Value, logger), IInboxGrain
{
    /// <summary>Closed handoffs an inbox still shows.</summary>
    public const int KeepClosed = 20;

    /// <summary>
    /// How many chat notifications' keys an inbox remembers to recognise a repeat: far more than a thread
    /// can owe one clinician at once (a repeat comes within the thread's retry backoff), and still a small row.
    /// </summary>
    public const int KeepNoticeKeys = 64;

    public Task DeliverAsync(HandoffSummary item, bool ping) => TakeAsync(item, KeepClosed, seq =>
        [new(FeedAudiences.User(Key), new InboxChange(Key, seq, item, ping, HandoffNotices.For(item, ping), clock.UtcNow))]);

    public async Task NotifyAsync(ChatNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var keys = State.State.NoticeKeys.IsDefault ? [] : State.State.NoticeKeys;
        if (keys.Contains(notice.Key))
        {
            return;
        }

        var (keysBefore, seqBefore) = (State.State.NoticeKeys, State.State.Seq);
        var kept = keys.Add(notice.Key);
        (State.State.NoticeKeys, State.State.Seq) = (kept.Length > KeepNoticeKeys ? kept[^KeepNoticeKeys..] : kept, seqBefore + 1);
        await PersistAsync(() => (State.State.NoticeKeys, State.State.Seq) = (keysBefore, seqBefore));
        var seq = State.State.Seq;
        Feed.Publish(seq, [new(FeedAudiences.User(Key), new InboxChange(Key, seq, null, true, notice.Text, clock.UtcNow, Chat: notice))]);
    }

    public Task<ImmutableArray<IFeedObserver>> HostsAsync() => Task.FromResult(Feed.Hosts);

    protected override Task<Result<string>> AudienceOfAsync(string userId, string? audience)
    {
        var own = FeedAudiences.User(Key);
        Result<string> placed = userId == Key && (audience is null || audience == own)
            ? own
            : HuddleError.Forbidden("An inbox is open to its owner only.");
        return Task.FromResult(placed);
    }

    protected override object Snapshot(string audience) => new InboxSnapshot(Key, State.State.Seq, Items);
}
