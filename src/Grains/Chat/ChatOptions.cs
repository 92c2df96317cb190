namespace Huddle.Grains.Chat;

/// <summary>Tunables of chat's per-clinician state (configuration section <c>Huddle:Chat</c>).</summary>
public sealed class ChatOptions
{
    /// <summary>
    /// The shortest time between two publishes of one clinician's unread counts, two head tells of one
    /// thread, or two publishes of one thread's receipts. The first after a quiet interval goes at once;
    /// what comes meanwhile goes together at the end of the interval, so a burst of N messages costs each
    /// member a few tells and publishes, not N.
    /// </summary>
    public TimeSpan CoalesceEvery { get; set; } = TimeSpan.FromMilliseconds(250);
}
