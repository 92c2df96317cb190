using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;

namespace Huddle.Silo.Hosting;

/// <summary>
/// The log levels the standalone silo starts from: the same as the web host's
/// <c>src/Web/appsettings.json</c>. Orleans logs its start and every membership step at
/// Information, and the resilience pipelines Orleans places grains through log every attempt under
/// <c>Polly</c> at Information (76 of the first 169 lines of a start); an operator needs their warnings only.
/// </summary>
public static class HuddleLogDefaults
{
    /// <summary>Category → minimum level, as configuration keys.</summary>
    public static IReadOnlyDictionary<string, string?> Levels { get; } = new Dictionary<string, string?>
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Orleans"] = "Warning",
        ["Logging:LogLevel:Polly"] = "Warning",
    };

    /// <summary>
    /// Adds <see cref="Levels"/> as the lowest-priority configuration source, so an appsettings file,
    /// an environment variable (<c>Logging__LogLevel__Orleans=Information</c>) or an argument still wins.
    /// </summary>
    public static void AddHuddleLogDefaults(this IConfigurationManager configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = Levels });
    }
}
