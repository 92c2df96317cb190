using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Huddle.Silo.Hosting;

/// <summary>
/// Stops the false "Participant check thread has not completed for &lt;machine uptime&gt; … deadlock,
/// CPU starvation" warning every silo logged at start.
/// </summary>
/// <remarks>
/// Orleans' <c>Watchdog.Start</c> (10.4.2) starts its platform thread <em>before</em> it sets the
/// timestamp of the last component check (<c>_componentWatchdogTimestamp</c>). The platform thread
/// checks at once, so it usually reads that field while it is still 0 and measures the component
/// check's age from timestamp 0 — the monotonic clock's origin, which on Linux is the machine's boot:
/// the "stall" it reports is the machine's uptime. Besides the warning, it records a
/// <c>ComponentHealthCheckStall</c> health event that counts against the silo's health score for a
/// minute (a degraded silo's votes on other silos' deaths count for less), exactly while a new silo
/// joins. Filtering the log line would leave that score; this sets the timestamp instead, just
/// before the stage in which the watchdog starts (nothing between the two but registering grain
/// services, which takes milliseconds), with the watchdog's own clock. From then on the watchdog
/// runs unchanged, so a real stall is still reported. Orleans' fields are private: if a later
/// Orleans renames them, this does nothing and says so at Debug, and
/// <c>OperationsTests.A_start_logs_no_false_watchdog_stall_and_no_polly_chatter</c> fails.
/// </remarks>
internal sealed class WatchdogStartFix(IServiceProvider services, ILogger<WatchdogStartFix> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.NonPublic;

    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        // The silo starts the watchdog in RuntimeGrainServices; every observer of the stage before has finished by then.
        lifecycle.Subscribe(nameof(WatchdogStartFix), ServiceLifecycleStage.RuntimeGrainServices - 1, _ =>
        {
            SetComponentCheckTimestamp();
            return Task.CompletedTask;
        });
    }

    private void SetComponentCheckTimestamp()
    {
        var type = Type.GetType("Orleans.Runtime.Watchdog, Orleans.Runtime");
        var watchdog = type is null ? null : services.GetService(type);
        var timestamp = type?.GetField("_componentWatchdogTimestamp", Instance);
        var clock = type?.GetField("_timeProvider", Instance);
        if (watchdog is null || timestamp?.FieldType != typeof(long) || clock?.GetValue(watchdog) is not TimeProvider time)
        {
            logger.LogDebug("Orleans' watchdog is not the one this fix knows (Orleans.Runtime.Watchdog with _componentWatchdogTimestamp and _timeProvider); left as it is");
            return;
        }

        timestamp.SetValue(watchdog, time.GetTimestamp());
    }
}
