using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Reflection;
using Huddle.Contracts.Boards;
using Huddle.Contracts.Common;
using Huddle.Contracts.Live;
using Huddle.Web.Live;
using Microsoft.AspNetCore.SignalR;

namespace Huddle.Web.Tests.FeedCore;

/// <summary>
/// A feed owner in plain C#: numbered changes, a bounded buffer, an audience per user, and gates a
/// test can close to hold a call in flight. Payloads are board changes whose <c>Op</c> names the
/// audience, so a test can tell what each watcher was sent.
/// </summary>
internal sealed class FakeOwner(string key) : IFeedGrain
{
    private readonly Lock _lock = new();
    private readonly List<FeedChange> _buffer = [];

    public const string Kind = "test";

    public FeedId Feed { get; } = new(Kind, key);

    public long Seq { get; private set; }

    /// <summary>How many changes the owner keeps for catch-up.</summary>
    public int BufferSize { get; set; } = 100;

    public ConcurrentDictionary<string, string> AudienceByUser { get; } = new();

    public List<string> Calls { get; } = [];

    public IFeedObserver? Observer { get; private set; }

    /// <summary>While set, OpenAsync waits for it.</summary>
    public TaskCompletionSource? OpenGate { get; set; }

    /// <summary>Completed when an OpenAsync is waiting at <see cref="OpenGate"/>.</summary>
    public TaskCompletionSource OpenWaiting { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completed when an UnsubscribeAsync is waiting at <see cref="UnsubscribeGate"/>.</summary>
    public TaskCompletionSource UnsubscribeWaiting { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Runs once after OpenAsync has its answer and before it returns it (a change racing the open).</summary>
    public Action? AfterAnswer { get; set; }

    /// <summary>While set, UnsubscribeAsync waits for it.</summary>
    public TaskCompletionSource? UnsubscribeGate { get; set; }

    public static FeedDelivery[] For(long seq) =>
        [new(FeedAudiences.Members, Payload(seq, FeedAudiences.Members)), new(FeedAudiences.Displays, Payload(seq, FeedAudiences.Displays))];

    public static BoardChange Payload(long seq, string audience) =>
        new("test", seq, audience, "u-test", DateTimeOffset.UnixEpoch, null, [], [], [], [], [], []);

    /// <summary>Loses everything, as a grain whose in-memory state went with its silo: it starts again at seq 0.</summary>
    public void Forget()
    {
        lock (_lock)
        {
            Seq = 0;
            _buffer.Clear();
        }
    }

    /// <summary>Makes the next change and keeps it; <paramref name="notify"/> false leaves it undelivered (a lost notification).</summary>
    public FeedChange Publish(bool notify = true, FeedRoster? roster = null)
    {
        FeedChange change;
        lock (_lock)
        {
            Seq++;
            change = new FeedChange(Feed, Seq, [.. For(Seq)], roster);
            _buffer.Add(change);
            if (_buffer.Count > BufferSize)
            {
                _buffer.RemoveAt(0);
            }
        }

        if (notify)
        {
            Observer?.OnFeedChanged(change);
        }

        return change;
    }

    public Task<long> SubscribeAsync(string kind, IFeedObserver observer)
    {
        lock (_lock)
        {
            Calls.Add("subscribe");
            Observer = observer;
            return Task.FromResult(Seq);
        }
    }

    public async Task UnsubscribeAsync(string kind, IFeedObserver observer)
    {
        if (UnsubscribeGate is { } gate)
        {
            UnsubscribeWaiting.TrySetResult();
            await gate.Task;
        }

        lock (_lock)
        {
            Calls.Add("unsubscribe");
            Observer = null;
        }
    }

    public Task<FeedCatchUp> ReadSinceAsync(string kind, long seq)
    {
        lock (_lock)
        {
            Calls.Add($"readSince:{seq}");
            if (seq == Seq)
            {
                return Task.FromResult(new FeedCatchUp(Seq, false, []));
            }

            return Task.FromResult(_buffer.Count > 0 && _buffer[0].Seq <= seq + 1 && seq < Seq
                ? new FeedCatchUp(Seq, false, [.. _buffer.Where(c => c.Seq > seq)])
                : new FeedCatchUp(Seq, true, []));
        }
    }

    public async Task<Result<FeedOpen>> OpenAsync(string kind, string userId, long? since, string? audience = null)
    {
        if (OpenGate is { } gate)
        {
            OpenWaiting.TrySetResult();
            await gate.Task;
        }

        if (!AudienceByUser.TryGetValue(userId, out var placed))
        {
            return HuddleError.Forbidden("Not on this feed.");
        }

        var catchUp = since is { } from ? await ReadSinceAsync(kind, from) : null;
        var answer = catchUp is { Reset: false }
            ? new FeedOpen(placed, catchUp.Seq, false, null, [.. catchUp.Changes.Select(c => c.For(placed)!)])
            : new FeedOpen(placed, Seq, true, $"snapshot@{Seq}", []);
        var after = AfterAnswer;
        AfterAnswer = null;
        after?.Invoke();
        return answer;
    }
}

internal sealed class FakeRoute(ConcurrentDictionary<string, FakeOwner> owners) : IFeedRoute
{
    public string Kind => FakeOwner.Kind;

    public IFeedGrain Owner(IGrainFactory grains, string key) => owners.GetOrAdd(key, k => new FakeOwner(k));

    public Task SendAsync(IHuddleClient clients, object payload) => clients.BoardChanged((BoardChange)payload);

    public object ResetPayload(FeedId feed, long seq, string reason) => BoardChange.ResetAt(feed.Key, seq, reason, DateTimeOffset.UnixEpoch);
}

/// <summary>
/// SignalR as the relay sees it: groups of connections and sends to them. Each connection keeps what
/// it was sent, in order, so a test asserts on one connection's own stream. A closed send gate makes
/// every send wait: a slow consumer.
/// </summary>
internal sealed class FakeHub : IHubContext<HuddleHub, IHuddleClient>, IHubClients<IHuddleClient>, IGroupManager
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, HashSet<string>> _groups = [];

    public ConcurrentDictionary<string, ConcurrentQueue<BoardChange>> Received { get; } = new();

    public TaskCompletionSource? SendGate { get; set; }

    public TaskCompletionSource? GroupGate { get; set; }

    /// <summary>Completed when a group call is waiting at <see cref="GroupGate"/>.</summary>
    public TaskCompletionSource GroupWaiting { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int SendsStarted;

    public IHubClients<IHuddleClient> Clients => this;

    public IGroupManager Groups => this;

    public IReadOnlyList<BoardChange> Of(string connectionId) => [.. Received.GetOrAdd(connectionId, _ => new())];

    public IHuddleClient Group(string groupName) => new Sender(this, () =>
    {
        lock (_lock)
        {
            return [.. _groups.GetValueOrDefault(groupName) ?? []];
        }
    });

    public IHuddleClient Client(string connectionId) => new Sender(this, () => [connectionId]);

    public async Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        if (GroupGate is { } gate)
        {
            GroupWaiting.TrySetResult();
            await gate.Task;
        }

        lock (_lock)
        {
            if (!_groups.TryGetValue(groupName, out var members))
            {
                _groups[groupName] = members = [];
            }

            members.Add(connectionId);
        }
    }

    public Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            _groups.GetValueOrDefault(groupName)?.Remove(connectionId);
        }

        return Task.CompletedTask;
    }

    public IHuddleClient All => throw new NotSupportedException();

    public IHuddleClient AllExcept(IReadOnlyList<string> excludedConnectionIds) => throw new NotSupportedException();

    IHuddleClient IHubClients<IHuddleClient>.Clients(IReadOnlyList<string> connectionIds) => throw new NotSupportedException();

    public IHuddleClient GroupExcept(string groupName, IReadOnlyList<string> excludedConnectionIds) => throw new NotSupportedException();

    IHuddleClient IHubClients<IHuddleClient>.Groups(IReadOnlyList<string> groupNames) => throw new NotSupportedException();

    public IHuddleClient User(string userId) => throw new NotSupportedException();

    public IHuddleClient Users(IReadOnlyList<string> userIds) => throw new NotSupportedException();

    private sealed class Sender(FakeHub hub, Func<string[]> members) : IHuddleClient
    {
        public async Task BoardChanged(BoardChange change)
        {
            // Members are taken, and the message queued on each connection, when the send starts, as
            // SignalR does; a closed gate holds back only the send's completion (a slow client).
            foreach (var id in members())
            {
                hub.Received.GetOrAdd(id, _ => new()).Enqueue(change);
            }

            Interlocked.Increment(ref hub.SendsStarted);
            if (hub.SendGate is { } gate)
            {
                await gate.Task;
            }
        }

        // The feed core is tested on the board's route alone.
        public Task HandoffInboxChanged(Contracts.Handoffs.InboxChange change) => throw new NotSupportedException();

        public Task TeamHandoffsChanged(Contracts.Handoffs.TeamHandoffsChange change) => throw new NotSupportedException();

        public Task TeamPresenceChanged(Contracts.Presence.TeamPresenceChange change) => throw new NotSupportedException();
    }
}

/// <summary>The one grain-factory call the relay makes outside its routes: an object reference for itself.</summary>
internal class FakeGrainFactory : DispatchProxy
{
    public static IGrainFactory Create() => DispatchProxy.Create<IGrainFactory, FakeGrainFactory>();

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
        targetMethod?.Name == nameof(IGrainFactory.CreateObjectReference) ? args![0] : throw new NotSupportedException(targetMethod?.Name);
}

internal static class Rosters
{
    public static FeedRoster Of(params (string User, string Audience)[] entries) =>
        new(entries.ToImmutableDictionary(e => e.User, e => e.Audience));
}
