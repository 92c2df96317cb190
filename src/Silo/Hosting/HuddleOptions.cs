namespace Huddle.Silo.Hosting;

/// <summary>Configuration keys shared by the silo and the web host (see docs/operations.md).</summary>
public static class HuddleConfig
{
    public const string ClusteringProvider = "Huddle:Clustering:Provider";
    public const string ClusterId = "Huddle:Orleans:ClusterId";
    public const string ServiceId = "Huddle:Orleans:ServiceId";
    public const string SiloPort = "Huddle:Orleans:SiloPort";
    public const string GatewayPort = "Huddle:Orleans:GatewayPort";
    public const string OrleansMode = "Huddle:Orleans:Mode";
    public const string SeedDemoData = "Huddle:Demo:Seed";
    public const string StorageProvider = "Huddle:Storage:Provider";
    public const string StorageConnection = "HuddleStorage";
    public const string DashboardEnabled = "Huddle:Dashboard:Enabled";
    public const string DashboardAdmins = "Huddle:Dashboard:Admins";
    public const string TelemetryEnabled = "Huddle:Telemetry:Enabled";
    public const string OtlpEndpoint = "Huddle:Telemetry:OtlpEndpoint";
}
