using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Huddle.Testing;

/// <summary>
/// The app with every log line of every category kept, at Trace (<see cref="Logs"/>): ASP.NET Core,
/// Orleans, SignalR, Blazor and Huddle's own, as verbose as an operator could turn them. For the PHI
/// canary test, which searches them for patient names and free text.
/// </summary>
public sealed class HuddleCanaryAppFixture : HuddleAppFixture
{
    public LogCapture Logs { get; } = new();

    protected override void ConfigureServices(IServiceCollection services) =>
        services.AddLogging(logging =>
        {
            logging.AddProvider(Logs);
            logging.AddFilter<LogCapture>(null, LogLevel.Trace);
        });
}
