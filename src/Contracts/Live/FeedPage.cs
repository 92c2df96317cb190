namespace Huddle.Contracts.Live;

/// <summary>
/// How many changes one catch-up answer carries. A reader further behind gets a page with
/// <c>More: true</c> and reads again from the page's seq, so a client away for a day pages forward
/// instead of taking everything at once.
/// </summary>
public static class FeedPage
{
    /// <summary>The page size when the reader names none (a limit of 0 or less).</summary>
    public const int DefaultLimit = 256;

    /// <summary>The largest page an owner answers, whatever the reader asks for.</summary>
    public const int MaxLimit = 1000;

    /// <summary>The page size to use for <paramref name="limit"/> as asked.</summary>
    public static int Clamp(int limit) => limit <= 0 ? DefaultLimit : Math.Min(limit, MaxLimit);
}
