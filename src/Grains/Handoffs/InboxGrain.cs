using System.Collections.Immutable;
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

    public Task DeliverAsync(HandoffSummary item, bool ping) => TakeAsync(item, KeepClosed, seq =>
        [new(FeedAudiences.User(Key), new InboxChange(Key, seq, item, ping, HandoffNotices.For(item, ping), clock.UtcNow))]);

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
