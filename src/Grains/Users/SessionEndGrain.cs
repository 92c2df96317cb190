using System.Collections.Immutable;
using Huddle.Contracts.Common;
using Huddle.Contracts.Users;
using Huddle.Grains.Common;
using Microsoft.Extensions.Logging;

namespace Huddle.Grains.Users;

[GenerateSerializer, Alias("huddle.session-end-state")]
public sealed class SessionEndState
{
    [Id(0)]
    public DateTimeOffset? AllBefore { get; set; }

    /// <summary>At most <see cref="SessionEnd.MaxSids"/>, none older than <see cref="SessionEnd.SidRetention"/>.</summary>
    [Id(1)]
    public ImmutableArray<EndedSession> Sids { get; set; } = [];
}

/// <summary>
/// A person's sign-outs from the provider (<see cref="ISessionEndGrain"/>). The row is bounded: one
/// time and at most 64 recent session ids. The hosts to tell live in memory only (a host renews its
/// watch every minute, and each renewal returns the state, so a lost activation costs a minute at most).
/// </summary>
public sealed partial class SessionEndGrain(
    [PersistentState(StorageNames.SessionEndState, StorageNames.Huddle)] IPersistentState<SessionEndState> state,
    HuddleClock clock,
    ILogger<SessionEndGrain> logger) : Grain, ISessionEndGrain
{
    private static readonly TimeSpan WatchLifetime = TimeSpan.FromMinutes(3);

    private readonly Dictionary<ISessionEndObserver, DateTimeOffset> _hosts = [];

    public async Task EndAsync(string? sid, DateTimeOffset at)
    {
        var now = clock.UtcNow;
        if (sid is null)
        {
            state.State.AllBefore = state.State.AllBefore is { } before && before > at ? before : at;
        }
        else if (!state.State.Sids.Any(s => s.Sid == sid))
        {
            state.State.Sids = [.. state.State.Sids.Where(s => now - s.At < SessionEnd.SidRetention).Append(new EndedSession(sid, at)).TakeLast(SessionEnd.MaxSids)];
        }

        await state.WriteStateAsync();
        LogEnded(this.GetPrimaryKeyString().Length, sid is null ? "all" : "one");
        var end = Current();
        foreach (var (host, until) in _hosts.ToList())
        {
            if (until < now)
            {
                _hosts.Remove(host);
                continue;
            }

            try
            {
                await host.SessionsEnded(end);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A host that is gone: its sessions went with it; one that comes back renews its watch.
                _hosts.Remove(host);
            }
        }
    }

    public Task<SessionEnd> GetAsync() => Task.FromResult(Current());

    public Task<SessionEnd> WatchAsync(ISessionEndObserver host)
    {
        ArgumentNullException.ThrowIfNull(host);
        _hosts[host] = clock.UtcNow + WatchLifetime;
        return Task.FromResult(Current());
    }

    private SessionEnd Current() => new(this.GetPrimaryKeyString(), state.State.AllBefore, state.State.Sids);

    // The subject is the provider's id for a person: logged by its length only, never its value.
    [LoggerMessage(Level = LogLevel.Information, Message = "Provider sign-out recorded (subject of {SubjectLength} characters; sessions: {Which})")]
    private partial void LogEnded(int subjectLength, string which);
}
