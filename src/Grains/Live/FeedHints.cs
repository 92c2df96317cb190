using Huddle.Contracts.Live;

namespace Huddle.Grains.Live;

/// <summary>
/// Sends hints (<see cref="FeedHint"/>) to the hosts that relay their feeds, all at once, and returns once
/// the hosts have handed them to their watchers' connections (at most <see cref="FeedOptions.HintWait"/>)
/// and <see cref="FeedOptions.HintLead"/> more has passed. An owner sends its hints first and starts the
/// writes its change promised (inboxes, the desk, the reminder) only then, so they do not take the core
/// while the transport is still writing the ping: on the durable handoff bench, started on the hosts'
/// answer they left the ping's p50 1.1-2.6 ms above the one-write floor's, started 5 ms later at it
/// (docs/performance.md, 2026-12-05 late). A host that fails or is slow costs the owner at most the wait,
/// never an error: the numbered change carries the same news.
/// </summary>
public static class FeedHints
{
    /// <summary>
    /// Sends every hint to its host; returns <see cref="FeedOptions.HintLead"/> after all have answered
    /// or failed, or once <see cref="FeedOptions.HintWait"/> passed (no lead then: a send that slow is
    /// not one the writes could slow down). At once when there is nothing to send. A host in this process
    /// (<paramref name="localHosts"/>) is called directly, as <see cref="FeedPublisher"/> hands it changes.
    /// </summary>
    public static async Task SendAsync(IEnumerable<(IFeedObserver Host, FeedHint Hint)> sends, FeedOptions options, Action<Exception, FeedHint> onFailed,
        TimeProvider? time = null, LocalFeedHosts? localHosts = null)
    {
        ArgumentNullException.ThrowIfNull(sends);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(onFailed);
        time ??= TimeProvider.System;
        var calls = sends.Select(async send =>
        {
            try
            {
                await (localHosts?.Resolve(send.Host) ?? send.Host).OnFeedHint(send.Hint);
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
            await Task.WhenAll(calls).WaitAsync(options.HintWait, time);
        }
        catch (TimeoutException)
        {
            // Still on its way, or a host that is gone: the tells go on, the numbered change follows.
            return;
        }

        if (options.HintLead > TimeSpan.Zero)
        {
            await Task.Delay(options.HintLead, time);
        }
    }
}
