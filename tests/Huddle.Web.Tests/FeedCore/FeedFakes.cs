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
/// A feed owner in plain C#: numbered changes in an epoch, a bounded ring, optionally stored pages
/// behind it, paged reads, an audience per user, and gates a test can close to hold a call in flight. Payloads are board changes whose <c>Op</c> names the
/// audience, so a test can tell what each watcher was sent.
/// </summary>
internal sealed class FakeOwner(string key) : IFeedGrain
{
    private readonly Lock _lock = new();
    private readonly List<FeedChange> _buffer = [];
    private readonly List<FeedChange> _stored = [];

    public const string Kind = "test";

    public FeedId Feed { get; } = new(Kind, key);

    public long Seq { get; private set; }

    /// <summary>The owner's epoch: a new one after <see cref="Forget"/>.</summary>
    public long Epoch { get; private set; } = 1;

    /// <summary>When set, every change is also stored in pages that answer reads the ring no longer reaches.</summary>
    public bool StoresPages { get; set; }

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

    /// <summary>Loses everything, as a grain whose in-memory state went with its silo: it starts again at seq 0, in a new epoch.</summary>
    public void Forget()
    {
        lock (_lock)
        {
            Seq = 0;
            Epoch++;
            _buffer.Clear();
            _stored.Clear();
        }
    }

    /// <summary>Starts a new epoch at <paramref name="seq"/> with nothing kept (a re-activation that lost its ring).</summary>
    public void NewEpoch(long seq)
    {
        lock (_lock)
        {
            Seq = seq;
            Epoch++;
            _buffer.Clear();
            _stored.Clear();
        }
    }

    /// <summary>Makes the next change and keeps it; <paramref name="notify"/> false leaves it undelivered (a lost notification).</summary>
    public FeedChange Publish(bool notify = true, FeedRoster? roster = null)
    {
        FeedChange change;
        lock (_lock)
        {
            Seq++;
            change = new FeedChange(Feed, Seq, [.. For(Seq)], roster, Epoch);
            _buffer.Add(change);
            if (StoresPages)
            {
                _stored.Add(change);
            }

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

    /// <summary>While set, SubscribeAsync answers with the position it had when called, then waits for it (a renewal's answer arriving late).</summary>
    public TaskCompletionSource? SubscribeGate { get; set; }

    /// <summary>Completed when a SubscribeAsync is waiting at <see cref="SubscribeGate"/>.</summary>
    public TaskCompletionSource SubscribeWaiting { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<FeedPosition> SubscribeAsync(string kind, IFeedObserver observer)
    {
        FeedPosition position;
        lock (_lock)
        {
            Calls.Add("subscribe");
            Observer = observer;
            position = new FeedPosition(Epoch, Seq);
        }

        if (SubscribeGate is { } gate)
        {
            SubscribeWaiting.TrySetResult();
            await gate.Task;
        }

        return position;
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

    /// <summary>Awaited before each <see cref="ReadSinceAsync"/> answers (with the seq asked from), when set.</summary>
    public Func<long, Task>? ReadGate { get; set; }

    public async Task<FeedCatchUp> ReadSinceAsync(string kind, long seq, long epoch = FeedPosition.AnyEpoch, int limit = 0)
    {
        if (ReadGate is { } gate)
        {
            await gate(seq);
        }

        return ReadSince(seq, epoch, limit);
    }

    private FeedCatchUp ReadSince(long seq, long epoch, int limit)
    {
        lock (_lock)
        {
            Calls.Add($"readSince:{seq}");
            if (epoch != FeedPosition.AnyEpoch && epoch != Epoch)
            {
                return new FeedCatchUp(Seq, true, [], Epoch);
            }

            if (seq == Seq)
            {
                return new FeedCatchUp(Seq, false, [], Epoch);
            }

            var kept = _buffer.Count > 0 && _buffer[0].Seq <= seq + 1 ? _buffer
                : _stored.Count > 0 && _stored[0].Seq <= seq + 1 ? _stored
                : null;
            if (kept is null || seq > Seq)
            {
                return new FeedCatchUp(Seq, true, [], Epoch);
            }

            var page = kept.Where(c => c.Seq > seq).Take(FeedPage.Clamp(limit)).ToList();
            return new FeedCatchUp(page[^1].Seq, false, [.. page], Epoch, page[^1].Seq < Seq);
        }
    }

    public async Task<Result<FeedOpen>> OpenAsync(string kind, string userId, long? since, string? audience = null,
        long epoch = FeedPosition.AnyEpoch, int limit = 0)
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

        var catchUp = since is { } from ? await ReadSinceAsync(kind, from, epoch, limit) : null;
        var answer = catchUp is { Reset: false }
            ? new FeedOpen(placed, catchUp.Seq, false, null, [.. catchUp.Changes.Select(c => c.For(placed)!)], catchUp.Epoch, catchUp.More)
            : new FeedOpen(placed, Seq, true, $"snapshot@{Seq}", [], Epoch);
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

        public Task ThreadChanged(Contracts.Chat.ThreadChange change) => throw new NotSupportedException();

        public Task UnreadChanged(Contracts.Chat.UnreadChange change) => throw new NotSupportedException();

        public Task ReceiptsChanged(Contracts.Chat.ThreadReceipts change) => throw new NotSupportedException();

        public Task RegistryChanged(Contracts.Registry.RegistryChange change) => throw new NotSupportedException();

        public Task PatientCareChanged(Contracts.Registry.PatientCareChange change) => throw new NotSupportedException();
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
