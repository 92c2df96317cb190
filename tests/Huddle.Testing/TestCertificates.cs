using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Huddle.Testing;

/// <summary>Self-signed TLS server certificates for the servers the tests start over HTTPS.</summary>
public static class TestCertificates
{
    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";

    /// <summary>
    /// A self-signed RSA 2048 server certificate for <paramref name="hosts"/> (DNS names or IP
    /// addresses, e.g. <c>localhost</c> and <c>127.0.0.1</c>, all in its SubjectAlternativeName; the
    /// first is its common name), with the serverAuth extended key usage, valid from a day ago for 30
    /// days. Its private key is exportable: it is re-imported through PKCS#12, as Kestrel on Linux
    /// needs to use the key.
    /// </summary>
    public static X509Certificate2 Create(params string[] hosts)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        if (hosts.Length == 0)
        {
            throw new ArgumentException("Name at least one host.", nameof(hosts));
        }

        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={hosts[0]}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(ServerAuthentication)], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var names = new SubjectAlternativeNameBuilder();
        foreach (var host in hosts)
        {
            if (IPAddress.TryParse(host, out var address))
            {
                names.AddIpAddress(address);
            }
            else
            {
                names.AddDnsName(host);
            }
        }

        request.CertificateExtensions.Add(names.Build());
        var now = DateTimeOffset.UtcNow;
        using var made = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        return X509CertificateLoader.LoadPkcs12(made.Export(X509ContentType.Pfx), null, X509KeyStorageFlags.Exportable);
    }

    /// <summary>
    /// The certificate's SHA-256 thumbprint in upper-case hex without separators, as
    /// <see cref="X509Certificate.GetCertHashString(HashAlgorithmName)"/> gives it (for pinning).
    /// </summary>
    public static string Sha256(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return certificate.GetCertHashString(HashAlgorithmName.SHA256);
    }
}
