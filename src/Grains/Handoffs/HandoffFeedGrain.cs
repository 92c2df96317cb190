using System.Collections.Immutable;
using Huddle.Contracts.Common;
using Huddle.Contracts.Handoffs;
using Huddle.Contracts.Live;
using Huddle.Grains.Live;
using Microsoft.Extensions.Logging;

namespace Huddle.Grains.Handoffs;

/// <summary>
/// What an inbox and a team's handoff desk share: a list of handoff summaries (<see cref="HandoffList"/>)
/// published as one feed whose seq is stored with the list, so a re-activated owner continues the same
/// numbering and a watcher behind the re-activation gets a reset, never a wrong list.
/// </summary>
public abstract partial class HandoffFeedGrain(IPersistentState<HandoffFeedState> state, string kind, FeedOptions feedOptions, ILogger logger) : Grain
{
    private FeedPublisher? _feed;

    protected IPersistentState<HandoffFeedState> State => state;

    protected string Key => this.GetPrimaryKeyString();

    protected FeedPublisher Feed => _feed ??= new FeedPublisher(new FeedId(kind, Key), state.State.Seq, feedOptions, logger,
        state.State.FeedEpoch = FeedPublisher.EpochOf(state.State.FeedEpoch), localHosts: LocalFeedHosts.In(ServiceProvider));

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _ = Feed;
        return base.OnActivateAsync(cancellationToken);
    }

    public Task<FeedPosition> SubscribeAsync(string kind, IFeedObserver observer) => Feed.SubscribeAsync(kind, observer);

    public Task UnsubscribeAsync(string kind, IFeedObserver observer) => Feed.UnsubscribeAsync(kind, observer);

    public Task<FeedCatchUp> ReadSinceAsync(string kind, long seq, long epoch = FeedPosition.AnyEpoch, int limit = 0) =>
        Feed.ReadSinceAsync(kind, seq, epoch, limit);

    public async Task<Result<FeedOpen>> OpenAsync(string kind, string userId, long? since, string? audience = null,
        long epoch = FeedPosition.AnyEpoch, int limit = 0)
    {
        Feed.CheckKind(kind);
        var placed = await AudienceOfAsync(userId, audience);
        if (placed.Error is { } denied)
        {
            return denied;
        }

        return await Feed.OpenAsync(placed.Value!, since, epoch, limit, () => Snapshot(placed.Value!));
    }

    /// <summary>The audience <paramref name="userId"/> is placed in (asking for <paramref name="audience"/>), or why they may not watch.</summary>
    protected abstract Task<Result<string>> AudienceOfAsync(string userId, string? audience);

    /// <summary>The snapshot a watcher of <paramref name="audience"/> starts from.</summary>
    protected abstract object Snapshot(string audience);

    /// <summary>
    /// Takes <paramref name="item"/> in; when it is newer than what is held, stores it and publishes
    /// <paramref name="deliveries"/> of the new seq (one payload per audience).
    /// </summary>
    protected async Task TakeAsync(HandoffSummary item, int keepClosed, Func<long, IEnumerable<FeedDelivery>> deliveries)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        if (HandoffList.Upsert(state.State.Items, item, keepClosed) is not { } items)
        {
            return;
        }

        var (itemsBefore, seqBefore) = (state.State.Items, state.State.Seq);
        (state.State.Items, state.State.Seq) = (items, seqBefore + 1);
        await PersistAsync(() => (state.State.Items, state.State.Seq) = (itemsBefore, seqBefore));
        Feed.Publish(state.State.Seq, deliveries(state.State.Seq));
    }

    /// <summary>Writes the state; on failure memory goes back and the activation is retired (as the team's grain does).</summary>
    protected async Task PersistAsync(Action rollback)
    {
        ArgumentNullException.ThrowIfNull(rollback);
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception ex)
        {
            rollback();
            LogWriteFailed(ex, kind, Key);
            DeactivateOnIdle();
            throw;
        }
    }

    protected ImmutableArray<HandoffSummary> Items => state.State.Items;

    [LoggerMessage(Level = LogLevel.Error, Message = "Feed {Kind}:{Key}: state write failed; memory restored and activation retired")]
    private partial void LogWriteFailed(Exception ex, string kind, string key);
}
