using Huddle.Silo.Hosting;
using Microsoft.Extensions.Hosting;

namespace Huddle.Silo;

/// <summary>The standalone silo: hosts grains only; web hosts connect to it as Orleans clients.</summary>
public static class SiloProgram
{
    public static async Task Main(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        // The silo ships no appsettings.json: start from the web host's log levels.
        builder.Configuration.AddHuddleLogDefaults();
        builder.UseOrleans(silo => silo.AddHuddleSilo(builder.Configuration));
        using var host = builder.Build();
        await host.RunAsync();
    }
}
