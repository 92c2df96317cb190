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
