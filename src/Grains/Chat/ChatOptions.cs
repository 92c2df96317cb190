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
}
