namespace Huddle.Contracts.Common;

/// <summary>
/// The clock the domain reads (board day, timestamps). Kept apart from the runtime's
/// <see cref="TimeProvider"/> so a test can move the clinic's day without moving Orleans' own timers.
/// </summary>
public sealed class HuddleClock(TimeProvider time)
{
    /// <summary>The system clock.</summary>
    public static readonly HuddleClock System = new(TimeProvider.System);

    /// <summary>The current instant.</summary>
    public DateTimeOffset UtcNow => time.GetUtcNow();

    /// <summary>The provider behind this clock, for domain timers (handoff escalation) that a test moves with the clock.</summary>
    public TimeProvider Time => time;
}
