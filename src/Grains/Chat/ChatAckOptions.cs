namespace Huddle.Grains.Chat;

/// <summary>Acknowledgement-request tunables (configuration section <c>Huddle:Chat</c>, docs/operations.md).</summary>
public sealed class ChatAckOptions
{
    /// <summary>How long after the request (and after each re-notification) recipients who have not acknowledged are notified again.</summary>
    public TimeSpan AckRenotifyInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How many re-notifications go out; one interval after the last, the sender is told who has not acknowledged
    /// (two, when a role then reaches a holder never asked, who gets that interval to answer). 0: no reminders.
    /// </summary>
    public int AckRenotifyCount { get; set; } = 6;
}
