using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Playwright;
using Xunit.v3;

namespace Huddle.Ui.Tests;

/// <summary>
/// Closes the browser contexts of tests that have finished. Left open, every page of every earlier test
/// keeps its Blazor circuit, its timers and its renderer running to the end of the run, and Chromium's
/// browser process serves them all: on this two-core machine the suite was CPU-bound with no idle time.
/// The attribute only records that a test finished (its After hook is synchronous: closing there would
/// block on Playwright); the contexts are closed, awaited, by the next test that opens a page, and the
/// last ones with the browser at the end of the run.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class FinishedTestContexts : BeforeAfterTestAttribute
{
    private static readonly ConcurrentDictionary<string, ConcurrentBag<IBrowserContext>> ByTest = new(StringComparer.Ordinal);
    private static readonly ConcurrentQueue<string> Finished = new();

    public override void After(MethodInfo methodUnderTest, IXunitTest test)
    {
        ArgumentNullException.ThrowIfNull(test);
        Finished.Enqueue(test.UniqueID);
    }

    /// <summary>Records <paramref name="context"/> as the running test's (a context opened outside a test is left alone).</summary>
    public static void Track(IBrowserContext context)
    {
        if (TestContext.Current.Test?.UniqueID is { } test)
        {
            ByTest.GetOrAdd(test, _ => []).Add(context);
        }
    }

    /// <summary>Closes the contexts of the tests finished so far; a close that fails or hangs is let go.</summary>
    public static async Task CloseFinishedAsync()
    {
        while (Finished.TryDequeue(out var test))
        {
            if (!ByTest.TryRemove(test, out var contexts))
            {
                continue;
            }

            foreach (var context in contexts)
            {
                try
                {
                    await context.CloseAsync().WaitAsync(TimeSpan.FromSeconds(10));
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // Already closed by its test, or the browser is busy: the run's end closes it.
                }
            }
        }
    }
}
