using Huddle.Contracts.Common;
using Huddle.Contracts.Smart;
using Huddle.Grains.Common;

namespace Huddle.Grains.Smart;

/// <summary>
/// A SMART launch in progress (<see cref="ISmartLaunchGrain"/>): in memory, taken once, gone when it
/// expires (ten minutes at most, the launch endpoint's choice). Nothing durable: a launch lost with its
/// silo is simply started again from the EHR.
/// </summary>
public sealed class SmartLaunchGrain(HuddleClock clock) : Grain, ISmartLaunchGrain
{
    private SmartLaunchRecord? _record;

    public Task SaveAsync(SmartLaunchRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        _record = record;
        // Kept in memory until taken or expired: the grain must not be collected before then.
        DelayDeactivation(record.ExpiresAt - clock.UtcNow + TimeSpan.FromSeconds(5));
        return Task.CompletedTask;
    }

    public Task<SmartLaunchRecord?> TakeAsync()
    {
        var record = _record;
        _record = null;
        DeactivateOnIdle();
        return Task.FromResult(record is not null && record.ExpiresAt > clock.UtcNow ? record : null);
    }
}
