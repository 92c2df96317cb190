using System.Threading.Channels;
using Huddle.Contracts.Common;
using Huddle.Contracts.Handoffs;
using Huddle.Web.Handoffs;
using Huddle.Web.Live;
using Microsoft.AspNetCore.SignalR.Client;
using Xunit;

namespace Huddle.Testing;

/// <summary>A clinician's hub client that keeps every handoff-inbox change it receives, in order.</summary>
public sealed class Clinician : IAsyncDisposable
{
    private readonly Channel<InboxChange> _inbox = Channel.CreateUnbounded<InboxChange>();

    private Clinician(HubClient client)
    {
        Client = client;
        client.Hub.On<InboxChange>(nameof(IHuddleClient.HandoffInboxChanged), c => _inbox.Writer.TryWrite(c));
    }

    public HubClient Client { get; }

    public HubConnection Hub => Client.Hub;

    public static async Task<Clinician> ConnectAsync(HuddleAppFixture app, string userId)
    {
        var clinician = new Clinician(await HubClient.ConnectAsync(app, userId));
        var inbox = await clinician.Hub.InvokeAsync<Result<FeedReply<InboxSnapshot, InboxChange>>>(nameof(HuddleHub.SubscribeInbox));
        Assert.True(inbox.Ok, inbox.Error?.Message);
        return clinician;
    }

    public Task<InboxChange> NextAsync(string what) => _inbox.Reader.ReadAsync().AsTask().Within(HubClient.Timeout, what);

    public bool HasReceivedAny => _inbox.Reader.TryPeek(out _);

    public Task<Result<HandoffSummary>> AcceptAsync(string handoffId, int eta, string? opId = null) =>
        Hub.InvokeAsync<Result<HandoffSummary>>(nameof(HuddleHub.AcceptHandoff), handoffId, eta, opId);

    public ValueTask DisposeAsync() => Client.DisposeAsync();
}
