namespace Huddle.Testing;

/// <summary>Waiting on a condition with a timeout, instead of sleeping and hoping.</summary>
public static class Eventually
{
    /// <summary>Waits for <paramref name="task"/> up to <paramref name="timeout"/>; fails with <paramref name="what"/> otherwise.</summary>
    public static async Task<T> Within<T>(this Task<T> task, TimeSpan timeout, string what)
    {
        ArgumentNullException.ThrowIfNull(task);
        var done = await Task.WhenAny(task, Task.Delay(timeout));
        return done == task ? await task : throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what}.");
    }

    /// <summary>Polls <paramref name="condition"/> until true, or fails after <paramref name="timeout"/>.</summary>
    public static async Task Until(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what}.");
            }

            await Task.Delay(25);
        }
    }

    /// <summary>
    /// Like <see cref="Until(Func{Task{bool}}, TimeSpan, string)"/>, the failure saying <paramref name="what"/> as it
    /// stands then (e.g. what is still missing); polled every <paramref name="every"/> (25 ms by default), for a
    /// condition whose reading disturbs what it reads.
    /// </summary>
    public static async Task Until(Func<Task<bool>> condition, TimeSpan timeout, Func<string> what, TimeSpan? every = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(what);
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what()}.");
            }

            await Task.Delay(every ?? TimeSpan.FromMilliseconds(25));
        }
    }
}
