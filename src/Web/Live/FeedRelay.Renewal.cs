namespace Huddle.Web.Live;

/// <summary>
/// Renewal: every feed's subscription is renewed at its owner well before the owner forgets it
/// (<see cref="FeedRelayRenewal"/> calls this), and the position the owner answers goes through the
/// feed's pump as a check: a newer seq is caught up, a new epoch resets the watchers, and an answer
/// that arrives after newer changes (a smaller seq in the same epoch) is just late. The watch of each
/// user's access (<c>FeedRelay.Access.cs</c>) is renewed at the same time.
/// </summary>
public sealed partial class FeedRelay
{
    /// <summary>Renews every feed's subscription; called periodically by <see cref="FeedRelayRenewal"/>.</summary>
    public async Task RenewAsync()
    {
        RelayedFeed[] feeds;
        lock (_lock)
        {
            feeds = [.. _feeds.Values];
        }

        // In parallel: one unreachable owner must not delay the others past their expiry.
        await Task.WhenAll(feeds.Select(async feed =>
        {
            try
            {
                var position = await feed.Owner.SubscribeAsync(feed.Id.Kind, Reference());
                feed.Enqueue(new FeedWork.Check(position));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRenewFailed(ex, feed.Id.ToString());
            }
        }).Append(RenewUsersQuietlyAsync()));
    }

    private async Task RenewUsersQuietlyAsync()
    {
        try
        {
            await RenewUsersAsync();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Each failure was logged and leaves its user to be checked at the next renewal.
        }
    }
}
