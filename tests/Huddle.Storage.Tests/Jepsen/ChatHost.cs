using System.Net.Http.Json;
using System.Text.Json;
using Huddle.Testing;

namespace Huddle.Storage.Tests.Jepsen;

/// <summary>
/// The web host under test, which the nemesis kills (SIGKILL) and starts again on the same port and
/// storage, as a crashed and restarted server would be. Clients wait on <see cref="UpAsync"/> instead
/// of hammering a port nobody listens on.
/// </summary>
internal sealed class ChatHost(HuddleWebProcess web) : IAsyncDisposable
{
    private readonly object _gate = new();
    private TaskCompletionSource _up = Completed();

    public Uri BaseAddress => web.Http.BaseAddress!;

    public HuddleWebProcess Web => web;

    /// <summary>Completes when the host answers (at once, unless a restart is under way).</summary>
    public Task UpAsync(CancellationToken ct)
    {
        lock (_gate)
        {
            return _up.Task.WaitAsync(ct);
        }
    }

    /// <summary>SIGKILL, then the same host again on the same port and tables; clients reconnect on their own.</summary>
    public async Task KillAndRestartAsync(CancellationToken ct)
    {
        var restarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _up = restarted;
        }

        await web.KillAsync();
        try
        {
            await web.StartAsync(ct);
            restarted.SetResult();
        }
        catch (Exception ex)
        {
            restarted.SetException(ex);
            throw;
        }
    }

    /// <summary>A bearer token for <paramref name="userId"/> (the development sign-in).</summary>
    public async Task<string> TokenAsync(string userId, CancellationToken ct)
    {
        using var response = await web.Http.PostAsJsonAsync("api/dev/token", new { userId }, ct);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("accessToken").GetString()!;
    }

    public ValueTask DisposeAsync() => web.DisposeAsync();

    private static TaskCompletionSource Completed()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        done.SetResult();
        return done;
    }
}
