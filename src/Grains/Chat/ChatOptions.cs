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
    /// thread, or two publishes of one thread's receipts. The first after a quiet interval goes at once;
    /// what comes meanwhile goes together at the end of the interval, so a burst of N messages costs each
    /// member a few tells and publishes, not N.
    /// </summary>
    public TimeSpan CoalesceEvery { get; set; } = TimeSpan.FromMilliseconds(250);
}
