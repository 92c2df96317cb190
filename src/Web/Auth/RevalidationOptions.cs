namespace Huddle.Web.Auth;

/// <summary>How often a live page re-checks its person (<see cref="CircuitRevalidation"/>), <c>Huddle:Security:RevalidateEvery</c>.</summary>
public sealed class RevalidationOptions
{
    public const string Key = "Huddle:Security:RevalidateEvery";

    /// <summary>The default: every minute (one warm grain read per page; OWASP suggests at most 30 minutes).</summary>
    public static readonly TimeSpan Default = TimeSpan.FromMinutes(1);

    public TimeSpan Every { get; set; } = Default;

    /// <summary>Reads and checks the setting; a value out of bounds (1 second to 30 minutes) stops the start.</summary>
    public static RevalidationOptions From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var value = configuration.GetValue(Key, Default);
        return value >= TimeSpan.FromSeconds(1) && value <= TimeSpan.FromMinutes(30)
            ? new RevalidationOptions { Every = value }
            : throw new InvalidOperationException($"{Key} must be 1 second to 30 minutes; it is {value}.");
    }
}
