using Xunit.Sdk;
using Xunit.v3;

namespace Huddle.Ui.Tests;

/// <summary>
/// Starts the test classes that spend most of their time waiting on the clock first, and the rest in
/// xunit's own (random) order. The suite is CPU-bound on two cores with two tests at a time; the idle
/// logoff tests wait out a 10 s timeout and 22 s of no input (about 70 s, one test after another, with
/// their own app and browser). Drawn last, they ran alone for the run's final minute with the CPU
/// mostly idle (seen on 2026-12-07: 11 % busy over 05:15:43-05:16:37); drawn first, their waits overlap
/// the other tests' work.
/// </summary>
public sealed class ClockWaitersFirst : ITestCollectionOrderer
{
    private static readonly string[] Waiters = [typeof(IdleLogoffTests).FullName!];

    public IReadOnlyCollection<TTestCollection> OrderTestCollections<TTestCollection>(IReadOnlyCollection<TTestCollection> testCollections)
        where TTestCollection : ITestCollection =>
        [.. DefaultTestCollectionOrderer.Instance.OrderTestCollections(testCollections).OrderBy(c => Waits(c) ? 0 : 1)];

    // A class without a [Collection] is a collection of its own, named after the class.
    private static bool Waits(ITestCollection collection) =>
        Waiters.Any(waiter => collection.TestCollectionDisplayName.Contains(waiter, StringComparison.Ordinal));
}
