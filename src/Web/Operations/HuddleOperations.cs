namespace Huddle.Web.Operations;

/// <summary>Everything an operator needs from a web host: health, telemetry, the dashboard, log hygiene, the shared key ring.</summary>
public static class HuddleOperations
{
    /// <summary>Registers the operability services (see docs/operations.md).</summary>
    public static void AddHuddleOperations(this WebApplicationBuilder builder)
    {
        builder.AddHuddleHealth();
        builder.AddHuddleTelemetry();
        builder.AddHuddleDashboard();
        builder.AddHuddleLogHygiene();
        builder.AddHuddleKeyRing();
    }

    /// <summary>Maps health endpoints and the dashboard.</summary>
    public static void MapHuddleOperations(this WebApplication app)
    {
        app.MapHuddleHealth();
        app.MapHuddleDashboard();
    }
}
