namespace Huddle.Contracts.Chat;

/// <summary>The limits of chat (docs/api.md, "Chat").</summary>
public static class ChatLimits
{
    /// <summary>The longest message text, in characters (UTF-16 code units, as a browser counts them).</summary>
    public const int MaxText = 4000;

    /// <summary>The most messages an open's snapshot carries (the newest).</summary>
    public const int SnapshotMessages = 50;

    /// <summary>The most messages one backwards read (<c>ReadThreadBefore</c>) answers.</summary>
    public const int MaxHistoryRead = 200;

    /// <summary>The most threads a clinician's thread list keeps besides their teams' (the most recently added first).</summary>
    public const int MaxListedThreads = 100;

    /// <summary>The most edits one message takes (its versions stay readable in one history page).</summary>
    public const int MaxEdits = 20;
}
