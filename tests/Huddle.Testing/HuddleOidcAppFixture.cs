using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Huddle.Testing;

/// <summary>
/// The app with organisation sign-in configured against a real OpenID Connect provider started
/// here (<see cref="TestOidcProvider"/>), every log line of the host kept (<see cref="Logs"/>, at
/// Trace for ASP.NET Core and Huddle) so tests can search them for what must never be written.
/// Development, so the dev API still makes the tests' teams; the provider's accounts are added per test.
/// </summary>
public sealed class HuddleOidcAppFixture : HuddleAppFixture
{
    public TestOidcProvider Provider { get; private set; } = default!;

    public LogCapture Logs { get; } = new();

    protected override async Task BeforeStartAsync() => Provider = await TestOidcProvider.StartAsync();

    protected override Dictionary<string, string?> OrleansSettings()
    {
        var settings = base.OrleansSettings();
        foreach (var (key, value) in Provider.HuddleSettings())
        {
            settings[key] = value;
        }

        return settings;
    }

    protected override void ConfigureServices(IServiceCollection services) =>
        services.AddLogging(logging =>
        {
            logging.AddProvider(Logs);
            logging.AddFilter<LogCapture>("Microsoft.AspNetCore", LogLevel.Trace);
            logging.AddFilter<LogCapture>("Huddle", LogLevel.Trace);
        });

    protected override void AfterStart() => Provider.RegisterClient(BaseAddress);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Provider.DisposeAsync();
    }
}
