namespace Huddle.Contracts.Handoffs;

/// <summary>
/// A clinician's handoff inbox (key: the user id), owner of the feed <c>inbox:{userId}</c> whose one
/// audience is <c>user:{userId}</c>: pings and status changes of the handoffs sent to or requested by
/// them, on every device and web host. Its seq is stored, so a re-opened inbox resumes by seq.
/// </summary>
public interface IInboxGrain : Live.IFeedGrain
{
    /// <summary>The feed kind of an inbox.</summary>
    const string Feed = "inbox";

    /// <summary>
    /// Called by a handoff's grain: <paramref name="item"/> as it now stands, <paramref name="ping"/>
    /// when it asks this user to answer. An item not newer than the one held changes nothing.
    /// </summary>
    Task DeliverAsync(HandoffSummary item, bool ping);

    /// <summary>
    /// Called by a chat thread: a notification for this user (<see cref="InboxChange.Chat"/>), published as
    /// the next inbox change. Idempotent by <see cref="Chat.ChatNotice.Key"/>: one delivered again (the
    /// thread retries until this call returns) changes nothing.
    /// </summary>
    Task NotifyAsync(Chat.ChatNotice notice);

    /// <summary>
    /// The web hosts relaying this inbox now (its feed's subscribed observers): where this user has a
    /// screen watching their inbox. A handoff's grain asks while its own write is under way, and hints
    /// the ping to them straight after it. Read-only, so it never waits behind a delivery.
    /// </summary>
    [AlwaysInterleave]
    Task<System.Collections.Immutable.ImmutableArray<Live.IFeedObserver>> HostsAsync();
}
