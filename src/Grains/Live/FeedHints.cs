using Huddle.Contracts.Live;

namespace Huddle.Grains.Live;

/// <summary>
/// Sends hints (<see cref="FeedHint"/>) to the hosts that relay their feeds, all at once, and waits until
/// the hosts have handed them to their watchers' connections, at most <see cref="FeedOptions.HintWait"/>. An owner sends
/// its hints first and only then starts the writes its change promised (inboxes, the desk, the reminder),
/// so they do not start beside the ping on the core it is sent from: on the durable handoff bench, held
/// 5 ms those writes left the ping's p50 at the one-write floor's; waiting for the hosts' answer alone
/// has not shown that gain yet (docs/performance.md, 2026-12-05 evening). A host that fails or is slow
/// costs the owner at most the wait, never an error: the numbered change carries the same news.
/// </summary>
public static class FeedHints
{
    /// <summary>Sends every hint to its host and returns once all have answered, failed, or <paramref name="wait"/> passed.</summary>
    public static async Task SendAsync(IEnumerable<(IFeedObserver Host, FeedHint Hint)> sends, TimeSpan wait, Action<Exception, FeedHint> onFailed)
    {
        ArgumentNullException.ThrowIfNull(sends);
        ArgumentNullException.ThrowIfNull(onFailed);
        var calls = sends.Select(async send =>
        {
            try
            {
                await send.Host.OnFeedHint(send.Hint);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                onFailed(ex, send.Hint);
            }
        }).ToList();
        if (calls.Count == 0)
        {
            return;
        }

        try
        {
            await Task.WhenAll(calls).WaitAsync(wait);
        }
        catch (TimeoutException)
        {
            // Still on its way, or a host that is gone: the tells go on, the numbered change follows.
        }
    }
}
