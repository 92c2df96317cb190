using System.Collections.Immutable;
using Huddle.Contracts.Common;
using Huddle.Contracts.Users;
using Huddle.Grains.Common;

namespace Huddle.Grains.Users;

[GenerateSerializer, Alias("huddle.browser-sign-out-state")]
public sealed class BrowserSignOutState
{
    /// <summary>At most <see cref="BrowserSignOutGrain.MaxSessions"/>, none older than <see cref="BrowserSignOutGrain.Retention"/>.</summary>
    [Id(0)]
    public ImmutableArray<EndedSession> Sessions { get; set; } = [];
}

/// <summary>
/// <see cref="IBrowserSignOutGrain"/>. The row is bounded: at most 64 session ids, each kept 24 hours.
/// A signed-out session's cookie cannot outlive that: no renewal is granted once the sign-out is
/// stored, and a cookie lives at most 13.2 hours from its last renewal (the longest idle time, 12 hours,
/// and its margin; 12 hours with idle logoff off). A 65th sign-out within a day drops the oldest.
/// </summary>
public sealed class BrowserSignOutGrain(
    [PersistentState(StorageNames.BrowserSignOutState, StorageNames.Huddle)] IPersistentState<BrowserSignOutState> state,
    HuddleClock clock) : Grain, IBrowserSignOutGrain
{
    public const int MaxSessions = 64;

    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    public async Task EndAsync(string session)
    {
        ArgumentException.ThrowIfNullOrEmpty(session);
        if (state.State.Sessions.Any(s => s.Sid == session))
        {
            return;
        }

        var now = clock.UtcNow;
        state.State.Sessions = [.. state.State.Sessions.Where(s => now - s.At < Retention).Append(new EndedSession(session, now)).TakeLast(MaxSessions)];
        await state.WriteStateAsync();
    }

    public Task<bool> EndedAsync(string session) => Task.FromResult(state.State.Sessions.Any(s => s.Sid == session));
}
