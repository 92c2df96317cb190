using Huddle.Testing;

namespace Huddle.Storage.Tests.Infrastructure;

/// <summary>One Azurite for every test class in the "Azurite" collection; each test uses fresh keys and tables.</summary>
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

/// <summary>Test classes that share one Azurite.</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
