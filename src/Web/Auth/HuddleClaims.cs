using System.Security.Claims;

namespace Huddle.Web.Auth;

/// <summary>The claims Huddle puts in every identity, and how to read them back.</summary>
public static class HuddleClaims
{
    public const string UserId = "sub";
    public const string Name = "name";
    public const string Kind = "huddle_kind";

    /// <summary>How the person signed in: <c>oidc</c> for the organisation's provider (absent for the dev sign-in).</summary>
    public const string Provider = "huddle_idp";

    /// <summary>The provider's session id (OpenID Connect <c>sid</c>), when it sent one.</summary>
    public const string SessionId = "sid";

    /// <summary>The provider's subject (<c>sub</c>) for this person: what its back-channel logout names.</summary>
    public const string Subject = "huddle_sub";

    /// <summary>
    /// This browser session's own id (random, 128 bits), given at the cookie's sign-in: what a sign-out
    /// records (<see cref="Contracts.Users.IBrowserSignOutGrain"/>), so the cookie is refused after it.
    /// </summary>
    public const string BrowserSession = "huddle_bs";

    /// <summary>The browser session id <paramref name="user"/> carries, or null (a token, not a cookie).</summary>
    public static string? BrowserSessionOf(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.FindFirst(BrowserSession)?.Value;
    }

    /// <summary>When this session's sign-in happened (Unix seconds): a provider sign-out ends the sessions begun before it.</summary>
    public const string SignedInAtClaim = "huddle_auth_time";

    /// <summary>When <paramref name="user"/>'s sign-in happened, or null when not recorded (dev sign-in).</summary>
    public static DateTimeOffset? SignedInAt(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return long.TryParse(user.FindFirst(SignedInAtClaim)?.Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;
    }

    /// <summary>The authenticated user's opaque id; throws when the principal has none.</summary>
    public static string UserIdOf(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.FindFirst(UserId)?.Value ?? throw new InvalidOperationException("The principal carries no user id.");
    }

    /// <summary>True for a team-room display (the wall TV): it reads the wall, never answers handoffs.</summary>
    public static bool IsRoomDisplay(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.FindFirst(Kind)?.Value == nameof(Contracts.Users.UserKind.RoomDisplay);
    }

    /// <summary>True for an administrator (the audit trail; no board, patient or chat of their own).</summary>
    public static bool IsAdministrator(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.FindFirst(Kind)?.Value == nameof(Contracts.Users.UserKind.Administrator);
    }

    public static ClaimsPrincipal Create(string userId, string displayName, string kind, string scheme, IEnumerable<Claim>? more = null) =>
        new(new ClaimsIdentity(
            [new Claim(UserId, userId), new Claim(Name, displayName), new Claim(Kind, kind), .. more ?? []],
            scheme, Name, null));
}
