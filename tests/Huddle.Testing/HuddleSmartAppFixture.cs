using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Huddle.Testing;

/// <summary>
/// The app over https on 127.0.0.1 with one SMART EHR tenant: the fake EHR (<see cref="TestEhr"/>) on
/// https://localhost, another site, as an EHR's portal is. Both use certificates made at start; each
/// side trusts the other's by its pin only (Huddle: <c>CertificateSha256</c>; the tests' clients:
/// <see cref="CreateHandler"/>). Every log line kept (<see cref="Logs"/>) for tests that search them.
/// </summary>
public sealed class HuddleSmartAppFixture : HuddleAppFixture
{
    /// <summary>The tenant's id in Huddle's settings (the widget's address names it).</summary>
    public const string TenantId = "test-ehr";

    /// <summary>The second tenant's id: an EHR whose sign-in refuses to be framed.</summary>
    public const string UnframeableTenantId = "test-ehr-unframeable";

    public TestEhr Ehr { get; private set; } = default!;

    /// <summary>A second EHR, whose sign-in pages refuse every frame (<c>FrameableLogin</c> false): the new-window path.</summary>
    public TestEhr UnframeableEhr { get; private set; } = default!;

    /// <summary>Huddle's own certificate (for 127.0.0.1).</summary>
    public X509Certificate2 Certificate { get; } = TestCertificates.Create("127.0.0.1", "localhost");

    public LogCapture Logs { get; } = new();

    protected override string ListenUrl => "https://127.0.0.1:0";

    /// <summary>Huddle's private key for private_key_jwt (RSA 2048, PEM), in a file of its own as an operator would keep it.</summary>
    public string ClientKeyFile { get; } = Path.Combine(Directory.CreateTempSubdirectory("huddle-smart-key-").FullName, "client-key.pem");

    protected override async Task BeforeStartAsync()
    {
        using (var rsa = System.Security.Cryptography.RSA.Create(2048))
        {
            await File.WriteAllTextAsync(ClientKeyFile, rsa.ExportPkcs8PrivateKeyPem());
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(ClientKeyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        Ehr = await TestEhr.StartAsync();
        UnframeableEhr = await TestEhr.StartAsync(new TestEhrOptions { FrameableLogin = false });
    }

    /// <summary>Huddle's published keys, read from its JWKS URL as the EHR that registered it does.</summary>
    public async Task<string> HuddleJwksAsync()
    {
        using var http = new HttpClient(Trusting()) { BaseAddress = BaseAddress };
        return await http.GetStringAsync(Huddle.Web.Smart.SmartClientKey.JwksPath.TrimStart('/'));
    }

    protected override Dictionary<string, string?> OrleansSettings()
    {
        var settings = base.OrleansSettings();
        var ehrOrigin = Ehr.BaseAddress.GetLeftPart(UriPartial.Authority);
        settings["Huddle:Smart:Tenants:0:Id"] = TenantId;
        settings["Huddle:Smart:Tenants:0:Name"] = "Test EHR";
        settings["Huddle:Smart:Tenants:0:Iss"] = Ehr.Iss.ToString();
        settings["Huddle:Smart:Tenants:0:ClientId"] = TestEhr.ClientId;
        settings["Huddle:Smart:Tenants:0:ClientSecret"] = Ehr.ClientSecret;
        settings["Huddle:Smart:Tenants:0:FrameOrigins:0"] = ehrOrigin;
        settings["Huddle:Smart:Tenants:0:UserIdentifierSystem"] = TestEhr.UserIdentifierSystem;
        settings["Huddle:Smart:Tenants:0:PatientIdentifierSystem"] = TestEhr.PatientIdentifierSystem;
        settings["Huddle:Smart:Tenants:0:CertificateSha256"] = Ehr.CertificateSha256;
        // A live widget notices its session's end within a second (the default is a minute).
        settings["Huddle:Security:RevalidateEvery"] = "00:00:01";
        settings["Huddle:Smart:Tenants:1:Id"] = UnframeableTenantId;
        settings["Huddle:Smart:Tenants:1:Iss"] = UnframeableEhr.Iss.ToString();
        settings["Huddle:Smart:Tenants:1:ClientId"] = TestEhr.ClientId;
        // This EHR knows Huddle by its key (private_key_jwt), not a secret.
        settings["Huddle:Smart:Tenants:1:ClientAuthentication"] = "private_key_jwt";
        settings[Huddle.Web.Smart.SmartClientKey.Key] = ClientKeyFile;
        settings["Huddle:Smart:Tenants:1:FrameOrigins:0"] = UnframeableEhr.BaseAddress.GetLeftPart(UriPartial.Authority);
        settings["Huddle:Smart:Tenants:1:UserIdentifierSystem"] = TestEhr.UserIdentifierSystem;
        settings["Huddle:Smart:Tenants:1:PatientIdentifierSystem"] = TestEhr.PatientIdentifierSystem;
        settings["Huddle:Smart:Tenants:1:CertificateSha256"] = UnframeableEhr.CertificateSha256;
        settings["Huddle:Smart:Tenants:1:FrameableLogin"] = "false";
        return settings;
    }

    protected override void ConfigureBuilder(WebApplicationBuilder builder) =>
        builder.WebHost.ConfigureKestrel(k => k.ConfigureHttpsDefaults(https => https.ServerCertificate = Certificate));

    protected override void ConfigureServices(IServiceCollection services) =>
        services.AddLogging(logging =>
        {
            logging.AddProvider(Logs);
            logging.AddFilter<LogCapture>("Microsoft.AspNetCore", LogLevel.Trace);
            logging.AddFilter<LogCapture>("Huddle", LogLevel.Trace);
        });

    protected override void AfterStart()
    {
        Ehr.RegisterRedirectUri(new Uri(BaseAddress, "smart/callback"));
        Ehr.HuddleLaunchUrl = new Uri(BaseAddress, "smart/launch");
        UnframeableEhr.RegisterRedirectUri(new Uri(BaseAddress, "smart/callback"));
        UnframeableEhr.HuddleLaunchUrl = new Uri(BaseAddress, "smart/launch");
        UnframeableEhr.ClientJwks = HuddleJwksAsync;
    }

    /// <summary>Trusts exactly Huddle's and the EHRs' certificates.</summary>
    public override HttpMessageHandler CreateHandler() => Trusting();

    /// <summary>
    /// A browser-like handler: its own cookie jar (<see cref="CookieJar"/>: .NET's CookieContainer drops
    /// a cookie with the <c>Partitioned</c> attribute, which every browser keeps), redirects not followed
    /// (tests follow them), the test certificates trusted.
    /// </summary>
    public HttpMessageHandler Browser() => new CookieJar(Trusting());

    private HttpClientHandler Trusting() => new()
    {
        UseCookies = false,
        AllowAutoRedirect = false,
        ServerCertificateCustomValidationCallback = (_, certificate, _, errors) => errors == System.Net.Security.SslPolicyErrors.None
            || (certificate is not null && (certificate.Thumbprint == Certificate.Thumbprint || certificate.Thumbprint == Ehr.Certificate.Thumbprint
                || certificate.Thumbprint == UnframeableEhr.Certificate.Thumbprint)),
    };

    /// <summary>
    /// A browser's cookie jar, as far as these tests need one: cookies by host (ports share them, as in
    /// browsers), set by <c>Set-Cookie</c>, removed by an expiry in the past or <c>Max-Age=0</c>, sent
    /// back to the same host. (Path, Secure and SameSite are not needed here: every address is https, path /.)
    /// </summary>
    private sealed class CookieJar(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private readonly Dictionary<string, Dictionary<string, string>> _byHost = new(StringComparer.OrdinalIgnoreCase);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var host = request.RequestUri!.Host;
            lock (_byHost)
            {
                if (_byHost.TryGetValue(host, out var cookies) && cookies.Count > 0)
                {
                    request.Headers.Remove("Cookie");
                    request.Headers.Add("Cookie", string.Join("; ", cookies.Select(c => $"{c.Key}={c.Value}")));
                }
            }

            var response = await base.SendAsync(request, cancellationToken);
            if (response.Headers.TryGetValues("Set-Cookie", out var set))
            {
                lock (_byHost)
                {
                    var cookies = _byHost.TryGetValue(host, out var held) ? held : _byHost[host] = new(StringComparer.Ordinal);
                    foreach (var line in set)
                    {
                        var parts = line.Split(';', StringSplitOptions.TrimEntries);
                        var (name, value) = (parts[0][..parts[0].IndexOf('=', StringComparison.Ordinal)], parts[0][(parts[0].IndexOf('=', StringComparison.Ordinal) + 1)..]);
                        var gone = parts.Skip(1).Any(a => a.Equals("max-age=0", StringComparison.OrdinalIgnoreCase)
                            || (a.StartsWith("expires=", StringComparison.OrdinalIgnoreCase) && DateTimeOffset.TryParse(a[8..], System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var expires) && expires < DateTimeOffset.UtcNow));
                        if (gone)
                        {
                            cookies.Remove(name);
                        }
                        else
                        {
                            cookies[name] = value;
                        }
                    }
                }
            }

            return response;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Ehr.DisposeAsync();
        await UnframeableEhr.DisposeAsync();
        Certificate.Dispose();
        Directory.Delete(Path.GetDirectoryName(ClientKeyFile)!, recursive: true);
    }
}
