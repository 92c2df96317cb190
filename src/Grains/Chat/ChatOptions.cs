namespace Huddle.Grains.Chat;

/// <summary>Tunables of chat (configuration section <c>Huddle:Chat</c>; docs/operations.md).</summary>
public sealed class ChatOptions
{
    /// <summary>
    /// How long a thread keeps its entries: whole history pages whose newest entry is older than this are
    /// removed, and a read before them answers with an explicit marker. Null (the default): for ever.
    /// </summary>
    public TimeSpan? Retention { get; set; }

    /// <summary>How often an active thread looks for pages past the retention (also a minute after it activates, and after each page it stores).</summary>
    public TimeSpan RetentionCheckEvery { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The shortest time between two publishes of one clinician's unread counts, two head tells of one
    /// thread, or two publishes of one thread's receipts. The first after a quiet interval goes at once (a
    /// thread's tells and receipts: <see cref="DeliveryLead"/> later); what comes meanwhile goes together
    /// at the end of the interval, so a burst of N messages costs each member a few tells and publishes, not N.
    /// </summary>
    public TimeSpan CoalesceEvery { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How long after a message is stored and published its thread holds the work the message starts for
    /// others: the members' unread-count tells (each member's grain, then their devices), the receipts'
    /// publish and a full page's write. A thread's publish only puts the message on the web hosts' queues;
    /// run at once, that work (25 grain calls and 25 publishes for a 25-member thread) took the core
    /// ahead of the hosts' sends of the message itself, whose socket writes wait in the thread pool's
    /// global queue behind an activation's work. Nothing is skipped or merged: the same work runs this
    /// much later, so unread counts and receipts move this much after the message arrives (measured:
    /// docs/performance.md, "A message's delivery ahead of its side effects"). Zero starts it at once.
    /// </summary>
    public TimeSpan DeliveryLead { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>The longest <see cref="DeliveryLead"/> a deployment may set: counts that lag a message by more would look stale.</summary>
    public static readonly TimeSpan MaxDeliveryLead = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Who may have a direct thread with whom (<c>Huddle:Chat:DirectThreads</c>): any two clinicians (the
    /// default: cross-team consults), or only two who share a care team, checked at every call, so a
    /// direct thread closes for both when they no longer do.
    /// </summary>
    public DirectThreadRule DirectThreads { get; set; } = DirectThreadRule.Anyone;
}

/// <summary>Who may have a direct thread with whom (<see cref="ChatOptions.DirectThreads"/>).</summary>
public enum DirectThreadRule
{
    /// <summary>Any two clinicians of the deployment.</summary>
    Anyone,

    /// <summary>Two clinicians who share at least one care team, while they do.</summary>
    Teammates,
}
