using System.Text.Json;
using System.Threading.Channels;
using Huddle.Contracts.Boards;
using Huddle.Contracts.Common;
using Huddle.Web.Http;
using Huddle.Web.Live;
using Microsoft.AspNetCore.SignalR.Client;
using Xunit;

namespace Huddle.Testing;

/// <summary>
/// A real SignalR .NET client of the hub, as an integrator would write one: every board change it
/// receives is kept, in order, so a test can wait for the next one on this very connection.
/// </summary>
public sealed class HubClient : IAsyncDisposable
{
    /// <summary>How long a test waits for an event before it fails.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly Channel<BoardChange> _changes = Channel.CreateUnbounded<BoardChange>();

    private HubClient(HubConnection hub, string userId)
    {
        Hub = hub;
        UserId = userId;
        hub.On<BoardChange>(nameof(IHuddleClient.BoardChanged), change => _changes.Writer.TryWrite(change));
    }

    public HubConnection Hub { get; }

    public string UserId { get; }

    /// <summary>A connected client for <paramref name="userId"/>.</summary>
    public static async Task<HubClient> ConnectAsync(HuddleAppFixture app, string userId)
    {
        ArgumentNullException.ThrowIfNull(app);
        return new HubClient(await app.HubAsAsync(userId), userId);
    }

    public Task<Result<BoardSubscription>> SubscribeAsync(string teamId) =>
        Hub.InvokeAsync<Result<BoardSubscription>>(nameof(HuddleHub.SubscribeBoard), teamId);

    public Task<Result<BoardSubscription>> ResumeAsync(string teamId, long version, long epoch = 0) =>
        Hub.InvokeAsync<Result<BoardSubscription>>(nameof(HuddleHub.ResumeBoard), teamId, version, epoch);

    public Task UnsubscribeAsync(string teamId) => Hub.InvokeAsync(nameof(HuddleHub.UnsubscribeBoard), teamId);

    /// <summary>Subscribes and returns the snapshot, failing the test when refused.</summary>
    public async Task<HuddleBoard> OpenAsync(string teamId)
    {
        var subscription = await SubscribeAsync(teamId);
        Assert.True(subscription.Ok, subscription.Error?.Message);
        return subscription.Value!.Board!;
    }

    public Task<Result<CommandOutcome>> ExecuteAsync(string teamId, string op, object? args = null) =>
        Hub.InvokeAsync<Result<CommandOutcome>>(nameof(HuddleHub.Execute), teamId, op, args is null ? null : JsonSerializer.SerializeToElement(args, HuddleJson.Options));

    /// <summary>Executes an operation that must be accepted and returns the version it made.</summary>
    public async Task<long> DoAsync(string teamId, string op, object? args = null)
    {
        var reply = await ExecuteAsync(teamId, op, args);
        Assert.True(reply.Ok, $"{op}: {reply.Error?.Code} {reply.Error?.Message}");
        return reply.Value!.Version;
    }

    /// <summary>The next change this connection received.</summary>
    public Task<BoardChange> NextAsync(string what) => _changes.Reader.ReadAsync().AsTask().Within(Timeout, what);

    public ValueTask DisposeAsync() => Hub.DisposeAsync();
}
