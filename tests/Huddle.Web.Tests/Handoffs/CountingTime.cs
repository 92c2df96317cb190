using Microsoft.Extensions.Time.Testing;

namespace Huddle.Web.Tests.Handoffs;

/// <summary>A fake clock that counts the timers alive on it and records their periods.</summary>
internal sealed class CountingTime(FakeTimeProvider fake) : TimeProvider
{
    private int _active;

    public FakeTimeProvider Fake => fake;

    public int Active => Volatile.Read(ref _active);

    public System.Collections.Concurrent.ConcurrentBag<TimeSpan> Periods { get; } = [];

    public override DateTimeOffset GetUtcNow() => fake.GetUtcNow();

    public override long GetTimestamp() => fake.GetTimestamp();

    public override long TimestampFrequency => fake.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => fake.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        // Counted only once the fake clock holds the timer: a test that sees it counted and moves the
        // clock must move it past this timer, not past a timer still being made (whose due time would
        // then be reckoned from the moved clock, and never come).
        var timer = fake.CreateTimer(callback, state, dueTime, period);
        Periods.Add(period);
        Interlocked.Increment(ref _active);
        return new Counted(timer, () => Interlocked.Decrement(ref _active));
    }

    private sealed class Counted(ITimer inner, Action disposed) : ITimer
    {
        private int _done;

        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(dueTime, period);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                disposed();
            }

            inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
