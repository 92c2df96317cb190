using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Huddle.Contracts.Users;
using Huddle.Silo.Hosting;
using Huddle.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Huddle.Web.Tests;

/// <summary>
/// Orleans' traffic under mutual TLS (docs/operations.md, "Orleans TLS"; docs/security.md): two silos
/// with the deployment's certificate join one cluster (membership on Azurite) and a client with it calls
/// grains on both; the gateway port speaks TLS and shows that certificate; a client without TLS, and one
/// with a certificate the cluster does not pin, cannot connect.
/// </summary>
public sealed class OrleansTlsTests : IAsyncLifetime
{
    private AzuriteServer _azurite = default!;
    private readonly string _dir = Directory.CreateTempSubdirectory("huddle-tls-").FullName;
    private readonly List<IHost> _hosts = [];
    private Dictionary<string, string?> _cluster = default!;
    private X509Certificate2 _certificate = default!;

    public async ValueTask InitializeAsync()
    {
        _azurite = await AzuriteServer.StartAsync();
        _cluster = HuddleAzureClusterFixture.ClusterSettings(_azurite, "Tls" + Guid.NewGuid().ToString("N")[..12]);
        _certificate = Certificate("huddle-cluster", out var path);
        _cluster[HuddleTls.CertificatePath] = path;
        _cluster[HuddleTls.CertificatePassword] = "pfx-password";
        _cluster[HuddleTls.PeerThumbprintsKey] = _certificate.Thumbprint;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in Enumerable.Reverse(_hosts))
        {
            await host.StopAsync();
            host.Dispose();
        }

        await _azurite.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>A self-signed certificate with its private key, also written as a .pfx.</summary>
    private X509Certificate2 Certificate(string name, out string path)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var made = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        path = Path.Combine(_dir, name + ".pfx");
        File.WriteAllBytes(path, made.Export(X509ContentType.Pfx, "pfx-password"));
        return X509CertificateLoader.LoadPkcs12FromFile(path, "pfx-password");
    }

    private async Task<(IHost Host, int GatewayPort)> SiloAsync()
    {
        var gateway = FreePort.Next();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(_cluster)
        {
            ["Huddle:Orleans:SiloPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Huddle:Orleans:GatewayPort"] = gateway.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.UseOrleans(silo => silo.AddHuddleSilo(builder.Configuration));
        var host = builder.Build();
        _hosts.Add(host);
        await host.StartAsync();
        return (host, gateway);
    }

    /// <summary>A started client; one that cannot connect within <paramref name="within"/> (60 s by default) throws.</summary>
    private async Task<IHost> ClientAsync(Action<Dictionary<string, string?>> change, TimeSpan? within = null)
    {
        var settings = new Dictionary<string, string?>(_cluster) { ["Logging:LogLevel:Default"] = "Warning" };
        change(settings);
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.UseOrleansClient(client => client.UseHuddleClustering(builder.Configuration));
        var host = builder.Build();
        _hosts.Add(host);
        using var timeout = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(60));
        await host.StartAsync(timeout.Token);
        return host;
    }

    [Fact]
    public async Task Two_silos_and_a_client_with_the_certificate_form_one_cluster_and_nothing_else_connects()
    {
        var (_, gateway) = await SiloAsync();
        await SiloAsync();
        var client = await ClientAsync(_ => { });
        var grains = client.Services.GetRequiredService<IClusterClient>();

        // Both silos are in the cluster: they found each other over TLS (membership probes are silo-to-silo calls).
        var management = grains.GetGrain<IManagementGrain>(0);
        await Eventually.Until(async () => (await management.GetHosts(onlyActive: true)).Count == 2, TimeSpan.FromSeconds(60), "both silos to be active");
        // Users' grains on both silos: their calls crossed silo to silo under TLS too. Placement goes to a
        // silo once the cluster's manifest lists it, which on a busy machine can lag its membership, so
        // users are added until both silos hold some (20 at first; random placement puts all 20 on one
        // silo once in 500,000 runs).
        var users = 0;
        async Task AddUsersAsync(int count)
        {
            for (var end = users + count; users < end; users++)
            {
                var id = $"u-tls-{users}";
                await grains.GetGrain<IUserGrain>(id).SetAsync(new UserProfile(id, $"User {users}", UserKind.Clinician, null, []));
                Assert.Equal($"User {users}", (await grains.GetGrain<IUserGrain>(id).GetAsync())?.DisplayName);
            }
        }

        await AddUsersAsync(20);
        await Eventually.Until(async () =>
        {
            var stats = await management.GetDetailedGrainStatistics();
            if (stats.Where(s => s.GrainId.Type.ToString() == "user" && s.GrainId.Key.ToString()!.StartsWith("u-tls-", StringComparison.Ordinal)).Select(s => s.SiloAddress).Distinct().Count() == 2)
            {
                return true;
            }

            await AddUsersAsync(5);
            return false;
        }, TimeSpan.FromSeconds(60), "users' grains placed on both silos");

        // The gateway port speaks TLS, shows the deployment's certificate, and asks for the client's.
        using (var tcp = new TcpClient())
        {
            // The silos listen on the machine's address (what they advertise), not loopback.
            var address = (await management.GetHosts(onlyActive: true)).Keys.First().Endpoint.Address;
            await tcp.ConnectAsync(address, gateway);
            await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "huddle-cluster",
                ClientCertificates = [_certificate],
                ApplicationProtocols = [new SslApplicationProtocol("Orleans1")],
            });
            Assert.Equal(_certificate.Thumbprint, new X509Certificate2(tls.RemoteCertificate!).Thumbprint);
        }

        // A client without TLS, and one with a certificate the cluster does not pin, get no connection
        // (the client above, the same but for that, connected in a second or two).
        var refused = TimeSpan.FromSeconds(15);
        await Assert.ThrowsAnyAsync<Exception>(() => ClientAsync(
            s =>
            {
                s.Remove(HuddleTls.CertificatePath);
                s.Remove(HuddleTls.PeerThumbprintsKey);
            },
            refused));
        Certificate("stranger", out var stranger);
        await Assert.ThrowsAnyAsync<Exception>(() => ClientAsync(s => s[HuddleTls.CertificatePath] = stranger, refused));
    }

    [Fact]
    public void An_unusable_certificate_stops_the_start_naming_the_setting()
    {
        foreach (var (settings, words) in new (Dictionary<string, string?>, string)[]
        {
            (new() { [HuddleTls.CertificatePath] = Path.Combine(_dir, "missing.pfx") }, HuddleTls.CertificatePath),
            (new() { [HuddleTls.PeerThumbprintsKey] = "AB12" }, HuddleTls.CertificatePath),
        })
        {
            var failure = Assert.Throws<InvalidOperationException>(() => HuddleTls.From(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()));
            Assert.Contains(words, failure.Message, StringComparison.Ordinal);
        }
    }
}
