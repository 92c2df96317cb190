using System.Diagnostics;

namespace Huddle.Grains.Chat;

/// <summary>
/// Runs a grain's <paramref name="work"/> at most once per <paramref name="every"/>, on a grain timer: the
/// first request after a quiet interval runs <paramref name="lead"/> later (zero: on the grain's next
/// turn), requests meanwhile run together once the interval has passed. Work requested while it runs
/// runs again after it.
/// </summary>
internal sealed class Coalescer(IGrainBase grain, TimeSpan every, Func<Task> work, bool interleave, TimeSpan lead = default)
{
    private IGrainTimer? _timer;
    private long _lastRun;

    /// <summary>Asks for the work to run: after the lead if the last run is an interval ago, else when it is; never sooner than <paramref name="notBefore"/>.</summary>
    public void Request(TimeSpan notBefore = default)
    {
        if (_timer is not null)
        {
            return;
        }

        var wait = _lastRun == 0 ? TimeSpan.Zero : every - Stopwatch.GetElapsedTime(_lastRun);
        var due = wait > notBefore ? wait : notBefore;
        due = due > lead ? due : lead;
        _timer = grain.RegisterGrainTimer(async _ =>
        {
            _timer?.Dispose();
            _timer = null;
            _lastRun = Stopwatch.GetTimestamp();
            await work();
        }, new GrainTimerCreationOptions(due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan) { Interleave = interleave, KeepAlive = true });
    }

    /// <summary>Stops a pending run (on deactivation).</summary>
    public void Stop()
    {
        _timer?.Dispose();
        _timer = null;
    }
}
