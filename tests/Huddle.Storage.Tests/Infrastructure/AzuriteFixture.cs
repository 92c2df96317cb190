using Huddle.Testing;

namespace Huddle.Storage.Tests.Infrastructure;

/// <summary>
/// One Azurite for the whole assembly (an assembly fixture); each test uses fresh keys and tables. The
/// classes of the "Azurite" collection run one at a time; a class that mostly waits (a handoff's real
/// escalation time after a kill) stays out of it and runs beside them on the same emulator.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteServer? _server;

    /// <summary>The running emulator.</summary>
    public AzuriteServer Server => _server ?? throw new InvalidOperationException("Azurite is not started.");

    public async ValueTask InitializeAsync() => _server = await AzuriteServer.StartAsync(TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

/// <summary>Test classes on the one Azurite that run one at a time (each starts and kills hosts of its own: CPU-heavy).</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteCollection
{
    public const string Name = "Azurite";
}
