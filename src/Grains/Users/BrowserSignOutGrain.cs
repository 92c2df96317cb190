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

    /// <summary>
    /// Set when a sign-out still within the retention had to leave the row (a 65th within a day): every
    /// session of the person begun before this is refused, so none of the dropped ones can come back.
    /// </summary>
    [Id(1)]
    public DateTimeOffset? RefusedBefore { get; set; }
}

/// <summary>
/// <see cref="IBrowserSignOutGrain"/>. The row is bounded: at most 64 session ids, each kept 24 hours, and
/// one time. A signed-out session's cookie cannot outlive that: no renewal is granted once the sign-out is
/// stored, and a cookie lives at most 13.2 hours from its last renewal (the longest idle time, 12 hours,
/// and its margin; 12 hours with idle logoff off). A 65th sign-out within a day drops the oldest id and
/// refuses instead every session of the person begun before that sign-out (their other devices too: the
/// safe side of a case that needs 65 sign-outs in a day).
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
        var (sessionsBefore, refusedBefore) = (state.State.Sessions, state.State.RefusedBefore);
        var kept = sessionsBefore.Where(s => now - s.At < Retention).Append(new EndedSession(session, now)).ToList();
        if (kept.Count > MaxSessions)
        {
            var dropped = kept[kept.Count - MaxSessions - 1].At;
            state.State.RefusedBefore = refusedBefore is { } earlier && earlier > dropped ? earlier : dropped;
        }

        state.State.Sessions = [.. kept.TakeLast(MaxSessions)];
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // Not stored: not ended here either, so the sign-out's retry writes it.
            (state.State.Sessions, state.State.RefusedBefore) = (sessionsBefore, refusedBefore);
            throw;
        }
    }

    public Task<bool> EndedAsync(string session, DateTimeOffset? signedInAt) => Task.FromResult(
        state.State.Sessions.Any(s => s.Sid == session)
        || (state.State.RefusedBefore is { } before && (signedInAt is null || signedInAt <= before)));
}
