using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Orleans.Connections.Security;

namespace Huddle.Silo.Hosting;

/// <summary>
/// TLS for Orleans' own traffic (silo to silo, and web host to gateway), with mutual authentication:
/// outside the single-process default, patient names cross the network in grain calls. Configured by
/// <c>Huddle:Orleans:Tls:*</c>; unset, Orleans' traffic is plaintext, which only the single-process
/// default and a trial on one machine should run with (docs/operations.md, "Orleans TLS").
/// </summary>
public sealed record HuddleTls(X509Certificate2 Certificate, IReadOnlySet<string> PeerThumbprints)
{
    public const string CertificatePath = "Huddle:Orleans:Tls:CertificatePath";
    public const string CertificatePassword = "Huddle:Orleans:Tls:CertificatePassword";
    public const string PeerThumbprintsKey = "Huddle:Orleans:Tls:PeerThumbprints";

    /// <summary>The TLS settings, or null when <see cref="CertificatePath"/> is unset; an unusable certificate stops the start, naming the setting.</summary>
    public static HuddleTls? From(IConfiguration config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config[CertificatePath] is not { Length: > 0 } path)
        {
            return config[PeerThumbprintsKey] is { Length: > 0 }
                ? throw new InvalidOperationException($"{PeerThumbprintsKey} is set but {CertificatePath} is not: TLS needs this node's certificate.")
                : null;
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, config[CertificatePassword]);
        }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"{CertificatePath} '{path}' could not be loaded as a PKCS#12 (.pfx) certificate with {CertificatePassword}: {ex.Message}", ex);
        }

        if (!certificate.HasPrivateKey)
        {
            throw new InvalidOperationException($"{CertificatePath} '{path}' has no private key: each node proves itself with its own.");
        }

        var pins = (config[PeerThumbprintsKey] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => t.ToUpperInvariant()).ToHashSet(StringComparer.Ordinal);
        return new HuddleTls(certificate, pins);
    }

    /// <summary>
    /// This node's certificate for both directions; the other end must present one (mutual TLS), and it
    /// is accepted when its thumbprint is pinned (<see cref="PeerThumbprintsKey"/>: self-signed
    /// certificates), else when it chains to a root this machine trusts (a deployment's own CA). Silos
    /// reach each other by address, so the certificate's name is not compared.
    /// </summary>
    public void Configure(TlsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.LocalCertificate = Certificate;
        options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.RemoteCertificateValidation = Accepts;
    }

    /// <summary>Whether a peer's certificate is one of the cluster's.</summary>
    public bool Accepts(X509Certificate2 certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return PeerThumbprints.Count > 0
            ? PeerThumbprints.Contains(certificate.Thumbprint.ToUpperInvariant())
            : (errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None;
    }
}
