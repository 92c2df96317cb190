namespace Huddle.Web.Auth;

/// <summary>Automatic logoff (HIPAA 164.312(a)(2)(iii)), <c>Huddle:Security:IdleTimeout</c>.</summary>
public sealed class IdleLogoffOptions
{
    public const string Key = "Huddle:Security:IdleTimeout";

    /// <summary>The default: 15 minutes without the person's input.</summary>
    public static readonly TimeSpan Default = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How long a signed-in browser may go without the person's input (a key, a tap, a click, the wheel)
    /// before its pages are signed out and its cookie has lapsed; zero turns it off. Team-room displays
    /// are exempt: nobody touches the wall. Zero, or 10 seconds to 12 hours.
    /// </summary>
    public TimeSpan IdleTimeout { get; set; } = Default;

    public bool Enabled => IdleTimeout > TimeSpan.Zero;

    /// <summary>
    /// The session cookie's lifetime, renewed by every report of input: a little longer than the idle
    /// time (a tenth more, at least 5 s), so a live page signs its person out, saying why, before the
    /// cookie lapses under it (a page whose cookie lapsed first would, at its next reconnect, find
    /// nobody signed in and go to the sign-in page without a word of why).
    /// </summary>
    public TimeSpan CookieLifetime => IdleTimeout + TimeSpan.FromTicks(Math.Max(IdleTimeout.Ticks / 10, TimeSpan.FromSeconds(5).Ticks));

    /// <summary>Reads and checks the setting; a value out of bounds stops the start.</summary>
    public static IdleLogoffOptions From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var value = configuration.GetValue(Key, Default);
        return value == TimeSpan.Zero || (value >= TimeSpan.FromSeconds(10) && value <= TimeSpan.FromHours(12))
            ? new IdleLogoffOptions { IdleTimeout = value }
            : throw new InvalidOperationException($"{Key} must be 0 (off) or 10 seconds to 12 hours; it is {value}.");
    }
}
