using System.Collections.Immutable;

namespace Huddle.Contracts.Users;

/// <summary>
/// The sign-outs the organisation's provider sent for one person (OpenID Connect Back-Channel
/// Logout 1.0), keyed by the provider's subject (<c>sub</c>): one grain a person, durable, so every
/// web host refuses the ended sessions' cookies and tokens and ends their live connections.
/// </summary>
public interface ISessionEndGrain : IGrainWithStringKey
{
    /// <summary>
    /// Records a sign-out: of the provider session <paramref name="sid"/>, or of every session begun
    /// before <paramref name="at"/> when <paramref name="sid"/> is null. Returns once stored, after
    /// telling the web hosts that watch this person.
    /// </summary>
    Task EndAsync(string? sid, DateTimeOffset at);

    /// <summary>What has ended so far.</summary>
    [AlwaysInterleave]
    Task<SessionEnd> GetAsync();

    /// <summary>
    /// <paramref name="host"/> (a web host with live sessions of this person) is told of each sign-out
    /// for the next few minutes; hosts renew it every minute. Returns what has ended so far, so a
    /// renewal also catches a sign-out whose telling was lost.
    /// </summary>
    [AlwaysInterleave]
    Task<SessionEnd> WatchAsync(ISessionEndObserver host);
}

/// <summary>A web host's ear for sign-outs (<see cref="ISessionEndGrain.WatchAsync"/>).</summary>
public interface ISessionEndObserver : IGrainObserver
{
    [OneWay]
    Task SessionsEnded(SessionEnd end);
}

/// <summary>
/// The sign-outs of <see cref="Subject"/>: every session begun before <see cref="AllBefore"/>, and
/// the provider sessions <see cref="Sids"/> (the most recent <see cref="MaxSids"/>, each kept for
/// <see cref="SidRetention"/>, longer than any Huddle session lasts).
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.session-end")]
public sealed record SessionEnd(
    [property: Id(0)] string Subject,
    [property: Id(1)] DateTimeOffset? AllBefore,
    [property: Id(2)] ImmutableArray<EndedSession> Sids)
{
    public const int MaxSids = 64;

    public static readonly TimeSpan SidRetention = TimeSpan.FromHours(24);

    /// <summary>True when a session of this person with provider session <paramref name="sid"/>, begun at <paramref name="issued"/>, has ended.</summary>
    public bool Ends(string? sid, DateTimeOffset? issued) =>
        (AllBefore is { } before && (issued is null || issued <= before))
        || (sid is not null && Sids.Any(s => s.Sid == sid));
}

/// <summary>One session ended by a sign-out, and when: a provider session (<see cref="SessionEnd"/>) or a Huddle browser session (<see cref="IBrowserSignOutGrain"/>).</summary>
[GenerateSerializer, Immutable, Alias("huddle.ended-session")]
public sealed record EndedSession([property: Id(0)] string Sid, [property: Id(1)] DateTimeOffset At);
