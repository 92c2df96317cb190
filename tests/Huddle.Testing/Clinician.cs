using System.Threading.Channels;
using Huddle.Contracts.Common;
using Huddle.Contracts.Handoffs;
using Huddle.Web.Handoffs;
using Huddle.Web.Live;
using Microsoft.AspNetCore.SignalR.Client;
using Xunit;

namespace Huddle.Testing;

/// <summary>
/// A clinician's hub client that keeps every handoff-inbox change it receives, in order: the numbered
/// changes (<see cref="NextAsync"/>) apart from the unnumbered ping hints (<see cref="NextHintAsync"/>),
/// and both in arrival order (<see cref="Arrivals"/>).
/// </summary>
public sealed class Clinician : IAsyncDisposable
{
    private readonly Channel<InboxChange> _inbox = Channel.CreateUnbounded<InboxChange>();
    private readonly Channel<InboxChange> _hints = Channel.CreateUnbounded<InboxChange>();

    private Clinician(HubClient client)
    {
        Client = client;
        client.Hub.On<InboxChange>(nameof(IHuddleClient.HandoffInboxChanged), c =>
        {
            Arrivals.Enqueue(c);
            (c.Hint ? _hints : _inbox).Writer.TryWrite(c);
        });
    }

    /// <summary>Every inbox event received, hints and numbered changes, in arrival order.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<InboxChange> Arrivals { get; } = new();

    public HubClient Client { get; }

    public HubConnection Hub => Client.Hub;

    public static async Task<Clinician> ConnectAsync(HuddleAppFixture app, string userId)
    {
        var clinician = new Clinician(await HubClient.ConnectAsync(app, userId));
        var inbox = await clinician.Hub.InvokeAsync<Result<FeedReply<InboxSnapshot, InboxChange>>>(nameof(HuddleHub.SubscribeInbox));
        Assert.True(inbox.Ok, inbox.Error?.Message);
        return clinician;
    }

    /// <summary>The next numbered inbox change.</summary>
    public Task<InboxChange> NextAsync(string what) => _inbox.Reader.ReadAsync().AsTask().Within(HubClient.Timeout, what);

    /// <summary>The next ping hint (unnumbered, sent straight after the handoff's write).</summary>
    public Task<InboxChange> NextHintAsync(string what) => _hints.Reader.ReadAsync().AsTask().Within(HubClient.Timeout, what);

    public bool HasReceivedAny => !Arrivals.IsEmpty;

    public Task<Result<HandoffSummary>> AcceptAsync(string handoffId, int eta, string? opId = null) =>
        Hub.InvokeAsync<Result<HandoffSummary>>(nameof(HuddleHub.AcceptHandoff), handoffId, eta, opId);

    public ValueTask DisposeAsync() => Client.DisposeAsync();
}
