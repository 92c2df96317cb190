namespace Huddle.Contracts.Users;

/// <summary>
/// A person's browser sessions signed out in Huddle (<c>POST /signout</c>, the idle sign-out), keyed by
/// Huddle user id. A cookie-authenticated request checks its session here, so a signed-out session's
/// cookie is refused wherever it turns up again: re-set by a request that was in flight when the
/// sign-out was answered (its renewal arrives after the sign-out's deletion), or copied before it.
/// </summary>
public interface IBrowserSignOutGrain : IGrainWithStringKey
{
    /// <summary>Records that browser session <paramref name="session"/> ended; returns once stored.</summary>
    Task EndAsync(string session);

    /// <summary>
    /// True when browser session <paramref name="session"/>, signed in at <paramref name="signedInAt"/>, has been
    /// signed out (or, after more sign-outs in a day than the row keeps, began before the oldest dropped).
    /// </summary>
    [AlwaysInterleave]
    Task<bool> EndedAsync(string session, DateTimeOffset? signedInAt);
}
