using Huddle.Contracts.Handoffs;

namespace Huddle.Web.Handoffs;

/// <summary>
/// Re-renders a component while it shows an accepted handoff's countdown ("arriving in 2 min", "due
/// now", "overdue 1 min"). The words come from the ETA and the clock alone, so nothing is asked of the
/// server: a timer on the injected <see cref="TimeProvider"/> (tests move it) ticks every
/// <see cref="Every"/>, runs only while a countdown is shown, and is disposed with the component.
/// </summary>
/// <param name="time">The app's clock (the <see cref="TimeProvider"/> the web host registers).</param>
/// <param name="refresh">Re-renders the component on its renderer (<c>() => InvokeAsync(StateHasChanged)</c>).</param>
public sealed class EtaTicker(TimeProvider time, Func<Task> refresh) : IDisposable
{
    /// <summary>
    /// How often a countdown is redrawn: it counts in whole minutes, so a word changes at most once a
    /// minute and is at most this late.
    /// </summary>
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(15);

    private ITimer? _timer;
    private bool _disposed;

    /// <summary>True when <paramref name="item"/> shows a countdown: accepted, with an ETA.</summary>
    public static bool Counts(HandoffSummary item) => item is { Status: HandoffStatus.Accepted, Eta: not null };

    /// <summary>Starts ticking when <paramref name="needed"/> (on the renderer, after a render), stops when not.</summary>
    public void Keep(bool needed)
    {
        if (needed && _timer is null && !_disposed)
        {
            _timer = time.CreateTimer(_ => _ = TickAsync(), null, Every, Every);
        }
        else if (!needed && _timer is not null)
        {
            _timer.Dispose();
            _timer = null;
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _timer?.Dispose();
        _timer = null;
    }

    private async Task TickAsync()
    {
        try
        {
            await refresh();
        }
        catch (ObjectDisposedException)
        {
            // A tick already under way when the circuit ended: nothing left to redraw.
        }
    }
}
