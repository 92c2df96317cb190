using Huddle.Contracts.Common;
using Huddle.Contracts.Live;
using Huddle.Contracts.Users;

namespace Huddle.Web.Live;

/// <summary>
/// Access: when a user's teams change (an administrator took them off a team), every feed that user
/// watches on this host is checked again at its owner at once, and a watch the owner now refuses is
/// dropped like a roster change drops one (out of its group first, then one "re-read", which is
/// refused). That covers the feeds whose owner does not follow the team's roster (a patient's
/// thread, a handoff's inbox item): nobody removed keeps receiving them until their next change.
/// <para>
/// This host watches each user with a feed here at the user's grain (<see cref="IUserGrain.WatchAccessAsync"/>)
/// before their first watch opens, and renews it with the feeds; the grain tells it of each change of the
/// user's teams, and a renewal that finds a newer count than the host saw checks that user's feeds again
/// too, so a lost telling costs one renewal at most. A watch that was still opening while its user's
/// access changed is checked once it joined.
/// </para>
/// </summary>
public sealed partial class FeedRelay
{
    private readonly Dictionary<string, UserAccess> _users = new(StringComparer.Ordinal);
    private AccessEar? _ear;

    /// <summary>One user with feeds on this host: where the watch at their grain stands.</summary>
    private sealed class UserAccess
    {
        /// <summary>The first watch at the user's grain (an open waits for it).</summary>
        public Task Watched { get; set; } = Task.CompletedTask;

        /// <summary>The grain's count of access changes this host has acted on; -1 until known, or after a check failed.</summary>
        public long Version { get; set; } = -1;

        /// <summary>Moves at every check of this user's feeds: an open that saw another one checks its watch once joined.</summary>
        public long Generation { get; set; }
    }

    /// <summary>Users whose access this host watches (for tests and diagnostics).</summary>
    internal int WatchedUsers
    {
        get
        {
            lock (_lock)
            {
                return _users.Count;
            }
        }
    }

    /// <summary>
    /// Before <paramref name="userId"/>'s watch opens: this host watches their access (once per user),
    /// and the returned generation is what the open compares after joining.
    /// </summary>
    private async Task<long> WatchUserAsync(string userId)
    {
        UserAccess access;
        lock (_lock)
        {
            if (!_users.TryGetValue(userId, out access!))
            {
                access = new UserAccess();
                _users[userId] = access;
                access.Watched = RenewUserAsync(userId, access);
            }
        }

        // A failed watch does not refuse the open: the next renewal watches again and checks everything.
        await access.Watched.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        lock (_lock)
        {
            return access.Generation;
        }
    }

    /// <summary>
    /// After a watch joined: when its user's feeds were checked meanwhile (the open's own check at the
    /// owner may have come before the change), this watch is checked too.
    /// </summary>
    private void CheckIfMoved(FeedWatch watch, long generation)
    {
        lock (_lock)
        {
            if (!_users.TryGetValue(watch.UserId, out var access) || access.Generation == generation)
            {
                return;
            }
        }

        if (watch.Feed is { } feed)
        {
            StartCheck(feed, watch);
        }
    }

    /// <summary>
    /// Starts a check of one watch outside the flow that caused it: the host's own question, not the
    /// call of whoever's request is running (so the audit trail does not count it as their read).
    /// </summary>
    private void StartCheck(RelayedFeed feed, FeedWatch watch)
    {
        using (ExecutionContext.SuppressFlow())
        {
            _ = Task.Run(() => CheckWatchAsync(feed, watch));
        }
    }

    /// <summary>Renews this host's watch of every user with a feed here, and forgets users with none.</summary>
    private async Task RenewUsersAsync()
    {
        List<(string UserId, UserAccess Access)> users;
        lock (_lock)
        {
            var watching = _feeds.Values.SelectMany(f => f.Watches).Select(w => w.UserId)
                .Concat(_connections.Values.Select(c => c.UserId)).ToHashSet(StringComparer.Ordinal);
            foreach (var gone in _users.Keys.Where(u => !watching.Contains(u)).ToList())
            {
                _users.Remove(gone);
            }

            // A watcher whose user was forgotten while their open was under way: watched from now, and
            // (the count unknown) their feeds checked once at the answer.
            foreach (var missing in watching.Where(u => !_users.ContainsKey(u)))
            {
                _users[missing] = new UserAccess();
            }

            users = [.. _users.Select(u => (u.Key, u.Value))];
        }

        await Task.WhenAll(users.Select(u => RenewUserAsync(u.UserId, u.Access)));
    }

    private async Task RenewUserAsync(string userId, UserAccess access)
    {
        long version;
        try
        {
            version = await _grains.Grain<IUserGrain>(userId).WatchAccessAsync(Ear());
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogAccessWatchFailed(ex.GetType().Name);
            lock (_lock)
            {
                // Not known: whatever the next answer says, this user's feeds are checked then.
                access.Version = -1;
            }

            throw;
        }

        Changed(userId, version, access);
    }

    /// <summary>
    /// The user's grain told of (or a watch found) <paramref name="version"/>: a newer count than this host
    /// acted on, or any count after one was missed, checks the user's feeds.
    /// </summary>
    private void Changed(string userId, long version, UserAccess? access = null)
    {
        lock (_lock)
        {
            if (access is null && !_users.TryGetValue(userId, out access))
            {
                return;
            }

            if (access.Version >= 0 && access.Version >= version)
            {
                return;
            }

            access.Version = version;
        }

        CheckUser(userId);
    }

    /// <summary>Checks every feed <paramref name="userId"/> watches on this host at its owner, at once.</summary>
    private void CheckUser(string userId)
    {
        List<(RelayedFeed Feed, FeedWatch Watch)> watches;
        lock (_lock)
        {
            if (_users.TryGetValue(userId, out var access))
            {
                access.Generation++;
            }

            watches = [.. _feeds.Values.SelectMany(f => f.Watches.Where(w => w.UserId == userId).Select(w => (f, w)))];
        }

        LogCheckingAccess(watches.Count);
        foreach (var (feed, watch) in watches)
        {
            StartCheck(feed, watch);
        }
    }

    /// <summary>
    /// Asks the owner whether <paramref name="watch"/>'s user may still watch, in its audience (a read of
    /// nothing new: from the seq relayed, one change at most). Refused, or placed elsewhere: dropped on the
    /// feed's pump. Unanswered: the user's next renewal checks again.
    /// </summary>
    private async Task CheckWatchAsync(RelayedFeed feed, FeedWatch watch)
    {
        if (watch.Closed || watch.Evicted)
        {
            return;
        }

        Result<FeedOpen> open;
        try
        {
            open = await feed.Owner.OpenAsync(feed.Id.Kind, watch.UserId, Math.Max(0, feed.LastSeq), watch.Requested, FeedPosition.AnyEpoch, 1);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogAccessWatchFailed(ex.GetType().Name);
            CheckAgainLater(watch.UserId);
            return;
        }

        if (open.Error is { Code: ErrorCodes.Unavailable })
        {
            CheckAgainLater(watch.UserId);
        }
        else if (open.Error is not null || open.Value!.Audience != watch.Audience)
        {
            feed.Enqueue(new FeedWork.Evict(watch));
        }
    }

    /// <summary>A check went unanswered: the user's count is unknown, so their next renewal checks all their feeds again.</summary>
    private void CheckAgainLater(string userId)
    {
        lock (_lock)
        {
            if (_users.TryGetValue(userId, out var access))
            {
                access.Version = -1;
            }
        }
    }

    private IUserAccessObserver Ear()
    {
        lock (_lock)
        {
            if (_ear is null)
            {
                _ear = new AccessEar(this);
                _ear.Reference = _grains.CreateObjectReference<IUserAccessObserver>(_ear);
            }

            return _ear.Reference!;
        }
    }

    /// <summary>This host's ear at users' grains (its own object: the relay is already the feeds' observer).</summary>
    private sealed class AccessEar(FeedRelay relay) : IUserAccessObserver
    {
        public IUserAccessObserver? Reference { get; set; }

        public Task AccessChanged(string userId, long version)
        {
            relay.Changed(userId, version);
            return Task.CompletedTask;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "A user's teams changed: checking their {Count} watch(es) on this host")]
    private partial void LogCheckingAccess(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watching a user's access failed ({Failure}); checked again at the next renewal")]
    private partial void LogAccessWatchFailed(string failure);
}
