using Huddle.Contracts.Live;
using Huddle.Grains.Live;
using Microsoft.Extensions.Time.Testing;

namespace Huddle.Grains.Tests;

/// <summary>
/// The owner's side of a hint (<see cref="FeedHints"/>): it goes on a lead after the hosts' answer, at
/// once when a host never answers within the wait, and at once with nothing to send. On a fake clock
/// that counts the timers made on it, so each step waits for the timer it needs, never for a fixed time.
/// </summary>
public sealed class FeedHintsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static readonly FeedOptions Options = new() { HintWait = TimeSpan.FromMilliseconds(200), HintLead = TimeSpan.FromMilliseconds(5) };

    private static readonly FeedHint Hint = new(new FeedId("inbox", "u-bhc"), "user:u-bhc", "ping");

    [Fact]
    public async Task The_owner_goes_on_the_lead_after_every_host_answered_or_failed_not_before()
    {
        var time = new CountingTime();
        var (answer, failure) = (new TaskCompletionSource(), new TaskCompletionSource());
        var (answering, failing) = (new FeedProbe { HintAnswer = answer }, new FeedProbe { HintAnswer = failure });
        var failed = new List<FeedHint>();

        var sent = FeedHints.SendAsync([(answering, Hint), (failing, Hint)], Options, (_, hint) => failed.Add(hint), time);
        Assert.Equal(Hint, await answering.NextHintAsync());
        Assert.Equal(Hint, await failing.NextHintAsync());
        Assert.Equal(1, time.Timers); // the wait's
        answer.SetResult();
        Assert.False(sent.IsCompleted, "returned before the second host answered");

        failure.SetException(new TimeoutException("host gone"));
        Assert.True(await Until(() => failed.Count == 1 && time.Timers == 2), "no lead after the answers (or the failure went unreported)");
        Assert.Equal([Hint], failed);
        Assert.False(sent.IsCompleted, "returned on the answers, without the lead");

        time.Advance(Options.HintLead - TimeSpan.FromMilliseconds(1));
        Assert.False(sent.IsCompleted, "returned before the lead had passed");

        time.Advance(TimeSpan.FromMilliseconds(1));
        await sent.WaitAsync(Patience, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_host_that_never_answers_costs_the_wait_and_no_lead_and_nothing_to_send_costs_nothing()
    {
        var time = new CountingTime();
        var silent = new FeedProbe { HintAnswer = new() };

        var sent = FeedHints.SendAsync([(silent, Hint)], Options, (_, _) => Assert.Fail("a slow host is not a failure"), time);
        await silent.NextHintAsync();
        time.Advance(Options.HintWait - TimeSpan.FromMilliseconds(1));
        Assert.False(sent.IsCompleted, "returned before the wait had passed");

        time.Advance(TimeSpan.FromMilliseconds(1));
        // No further advance: the lead is for a send that went out, not one still stuck.
        await sent.WaitAsync(Patience, TestContext.Current.CancellationToken);
        Assert.Equal(1, time.Timers);

        Assert.True(FeedHints.SendAsync([], Options, (_, _) => { }, time).IsCompletedSuccessfully);
        Assert.Equal(1, time.Timers);
    }

    private static async Task<bool> Until(Func<bool> condition)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!condition() && waited.Elapsed < Patience)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        return condition();
    }

    /// <summary>A fake clock that counts the timers made on it (the wait's, then the lead's).</summary>
    private sealed class CountingTime : FakeTimeProvider
    {
        private int _timers;

        public int Timers => Volatile.Read(ref _timers);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Interlocked.Increment(ref _timers);
            return base.CreateTimer(callback, state, dueTime, period);
        }
    }
}
