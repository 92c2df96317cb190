using Huddle.Contracts.Common;
using Huddle.Contracts.Smart;
using Huddle.Grains.Common;

namespace Huddle.Grains.Smart;

/// <summary>A handle left for a frame by a sign-in completed in a new window (<see cref="IWidgetPickupGrain"/>): in memory, taken once.</summary>
public sealed class WidgetPickupGrain : Grain, IWidgetPickupGrain
{
    private static readonly TimeSpan Kept = TimeSpan.FromMinutes(10);

    private string? _handle;

    public Task LeaveAsync(string handle)
    {
        _handle = handle;
        DelayDeactivation(Kept);
        return Task.CompletedTask;
    }

    public Task<string?> TakeAsync()
    {
        var handle = _handle;
        _handle = null;
        if (handle is not null)
        {
            DeactivateOnIdle();
        }

        return Task.FromResult(handle);
    }
}
