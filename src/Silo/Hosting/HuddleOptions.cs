namespace Huddle.Silo.Hosting;

/// <summary>Configuration keys shared by the silo and the web host (see docs/operations.md).</summary>
public static class HuddleConfig
{
    public const string ClusteringProvider = "Huddle:Clustering:Provider";
    public const string ClusterId = "Huddle:Orleans:ClusterId";
    public const string ServiceId = "Huddle:Orleans:ServiceId";
    public const string SiloPort = "Huddle:Orleans:SiloPort";
    public const string GatewayPort = "Huddle:Orleans:GatewayPort";

    /// <summary>
    /// The IP address a silo tells the cluster (other silos and web hosts dial it); with it set, the
    /// silo listens on every address of the machine. Unset, Orleans advertises and listens on the
    /// machine's first non-loopback IPv4 address, which on a machine with several (a container host,
    /// a VPN) may be one the others cannot reach.
    /// </summary>
    public const string AdvertisedIP = "Huddle:Orleans:AdvertisedIP";
    public const string OrleansMode = "Huddle:Orleans:Mode";
    public const string SeedDemoData = "Huddle:Demo:Seed";

    /// <summary>
    /// The first administrator of a new deployment: their user id as the organisation's provider names
    /// them (and <see cref="BootstrapAdministratorName"/>). Created at start when no user has that id;
    /// an existing user is never changed. They then create everyone else in the UI or the API.
    /// </summary>
    public const string BootstrapAdministrator = "Huddle:Administration:BootstrapUserId";
    public const string BootstrapAdministratorName = "Huddle:Administration:BootstrapName";
    public const string StorageProvider = "Huddle:Storage:Provider";
    public const string StorageConnection = "HuddleStorage";
    public const string DashboardEnabled = "Huddle:Dashboard:Enabled";
    public const string DashboardAdmins = "Huddle:Dashboard:Admins";
    public const string TelemetryEnabled = "Huddle:Telemetry:Enabled";
    public const string OtlpEndpoint = "Huddle:Telemetry:OtlpEndpoint";
}
