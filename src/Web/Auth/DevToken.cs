using System.Security.Cryptography;
using System.Text;

namespace Huddle.Web.Auth;

/// <summary>
/// The shared secret of the development API (<c>/api/dev/*</c>: a bearer token for any user, any roster
/// rewritten), which exists only in the Development environment and, even there, answers only a
/// request carrying <see cref="Header"/> (docs/security.md, "The dev API"). From
/// <c>Huddle:Dev:Token</c>; unset, one is made at start and written to the console, so a developer's
/// machine on a shared network does not hand its rosters to anyone who can reach the port.
/// </summary>
public sealed class DevToken
{
    public const string Key = "Huddle:Dev:Token";

    /// <summary>The request header that carries the token.</summary>
    public const string Header = "X-Huddle-Dev-Token";

    /// <summary>The shortest token accepted from the setting.</summary>
    public const int MinLength = 16;

    private readonly byte[] _value;

    private DevToken(string value, bool generated)
    {
        Value = value;
        Generated = generated;
        _value = Encoding.UTF8.GetBytes(value);
    }

    public string Value { get; }

    /// <summary>True when no setting gave it: made at this start, and said so on the console.</summary>
    public bool Generated { get; }

    /// <summary>The configured token, or a fresh random one; one shorter than <see cref="MinLength"/> stops the start.</summary>
    public static DevToken From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var configured = configuration[Key];
        if (string.IsNullOrEmpty(configured))
        {
            return new DevToken(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), generated: true);
        }

        return configured.Trim().Length >= MinLength
            ? new DevToken(configured.Trim(), generated: false)
            : throw new InvalidOperationException($"{Key} is {configured.Trim().Length} characters; a dev token is at least {MinLength}.");
    }

    /// <summary>True when <paramref name="presented"/> is the token (compared in constant time).</summary>
    public bool Matches(string? presented) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _value);
}
