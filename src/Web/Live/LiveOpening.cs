namespace Huddle.Web.Live;

/// <summary>
/// A component opening a live copy (a board, an inbox, a roster) may be left while the open is under
/// way: its dispose then found nothing to close. Every page and strip keeps what it opened this way.
/// </summary>
public static class LiveOpening
{
    /// <summary>What <paramref name="opening"/> opened, or null, after closing it, when <paramref name="left"/> says the component went away meanwhile.</summary>
    public static async Task<T?> KeptUnlessLeftAsync<T>(this Task<T> opening, Func<bool> left)
        where T : class, IAsyncDisposable
    {
        ArgumentNullException.ThrowIfNull(opening);
        ArgumentNullException.ThrowIfNull(left);
        var opened = await opening;
        if (!left())
        {
            return opened;
        }

        await opened.DisposeAsync();
        return null;
    }
}
