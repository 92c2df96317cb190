using Huddle.Contracts.Common;
using System.Collections.Concurrent;
using System.Security.Claims;
using Huddle.Contracts.Users;

namespace Huddle.Web.Auth;

/// <summary>
/// This host's live sessions that came from the organisation's provider (hub connections and Blazor
/// circuits), by the provider's subject, and this host's ear for that person's sign-outs
/// (<see cref="ISessionEndGrain"/>): when the provider signs a person out (back-channel logout,
/// received by any host), every host ends that person's matching connections and circuits at once.
/// While a person has sessions here the host renews its watch every minute; each renewal returns
/// the sign-outs so far, so a telling lost with a grain's activation is caught within the minute.
/// </summary>
public sealed partial class SessionRegistry(IGrainFactory grains, ILogger<SessionRegistry> logger) : ISessionEndObserver, IHostedService, IDisposable
{
    private static readonly TimeSpan Renewal = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, ConcurrentDictionary<object, LiveSession>> _bySubject = new(StringComparer.Ordinal);
    private ISessionEndObserver? _reference;
    private Timer? _timer;

    /// <summary>One live session: its provider session id, when its sign-in happened, and how to end it.</summary>
    private sealed record LiveSession(string? Sid, DateTimeOffset? SignedInAt, Action End);

    /// <summary>
    /// Tracks a live session of <paramref name="user"/> (ignored unless it came from the provider)
    /// until the returned handle is disposed; <paramref name="end"/> ends it.
    /// </summary>
    public IDisposable Track(ClaimsPrincipal user, Action end)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.FindFirst(HuddleClaims.Subject)?.Value is not { } subject)
        {
            return NoSession.Instance;
        }

        var key = new object();
        var sessions = _bySubject.GetOrAdd(subject, _ => new ConcurrentDictionary<object, LiveSession>());
        sessions[key] = new LiveSession(user.FindFirst(HuddleClaims.SessionId)?.Value, HuddleClaims.SignedInAt(user), end);
        // Watch now: a sign-out may have landed between this session's check and its registration.
        _ = WatchAsync(subject);
        return new Handle(() =>
        {
            sessions.TryRemove(key, out _);
            if (sessions.IsEmpty)
            {
                _bySubject.TryRemove(new KeyValuePair<string, ConcurrentDictionary<object, LiveSession>>(subject, sessions));
            }
        });
    }

    /// <summary>The grain tells of a sign-out: end this host's matching sessions.</summary>
    public Task SessionsEnded(SessionEnd end)
    {
        ArgumentNullException.ThrowIfNull(end);
        Apply(end);
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _timer = new Timer(_ => _ = RenewAsync(), null, Renewal, Renewal);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _timer?.Dispose();

    private void Apply(SessionEnd end)
    {
        if (!_bySubject.TryGetValue(end.Subject, out var sessions))
        {
            return;
        }

        var ended = 0;
        foreach (var (key, session) in sessions)
        {
            if (end.Ends(session.Sid, session.SignedInAt) && sessions.TryRemove(key, out _))
            {
                ended++;
                session.End();
            }
        }

        if (ended > 0)
        {
            LogEnded(logger, ended);
        }
    }

    private async Task RenewAsync()
    {
        foreach (var subject in _bySubject.Keys)
        {
            await WatchAsync(subject);
        }
    }

    private async Task WatchAsync(string subject)
    {
        try
        {
            _reference ??= grains.CreateObjectReference<ISessionEndObserver>(this);
            Apply(await grains.Grain<ISessionEndGrain>(subject).WatchAsync(_reference));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Storage or the cluster briefly unreachable: the next renewal tries again.
            LogWatchFailed(logger, ex.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Ended {Count} live session(s) signed out at the provider")]
    private static partial void LogEnded(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not watch for provider sign-outs ({Failure}); retrying within a minute")]
    private static partial void LogWatchFailed(ILogger logger, string failure);

    private sealed class Handle(Action release) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                release();
            }
        }
    }

    private sealed class NoSession : IDisposable
    {
        public static readonly NoSession Instance = new();

        public void Dispose()
        {
        }
    }
}
