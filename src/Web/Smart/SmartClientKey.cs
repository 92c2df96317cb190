using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Huddle.Web.Smart;

/// <summary>
/// Huddle's own key for <c>private_key_jwt</c> client authentication (RFC 7523, as SMART's asymmetric client
/// authentication profiles it): a PEM private key at <c>Huddle:Smart:ClientKeyFile</c>, RSA of 2048 bits or more
/// (signs RS384) or EC P-384 (signs ES384). Its public half is published at <c>GET /smart/jwks.json</c>, the
/// URL an EHR registers for Huddle, under a key id that is its RFC 7638 thumbprint. For each code exchange
/// Huddle signs a short assertion: issuer and subject its client id, audience the EHR's token endpoint, a
/// fresh <c>jti</c>, five minutes' life.
/// </summary>
public sealed class SmartClientKey
{
    public const string Key = SmartSettings.Section + ":ClientKeyFile";

    /// <summary>Where the public keys are published.</summary>
    public const string JwksPath = "/smart/jwks.json";

    private static readonly TimeSpan AssertionLifetime = TimeSpan.FromMinutes(5);

    private readonly SigningCredentials _credentials;

    private SmartClientKey(AsymmetricSecurityKey key, JsonWebKey publicKey, string algorithm)
    {
        KeyId = Base64UrlEncoder.Encode(publicKey.ComputeJwkThumbprint());
        key.KeyId = KeyId;
        Algorithm = algorithm;
        _credentials = new SigningCredentials(key, algorithm);
        var jwk = new Dictionary<string, string?> { ["kty"] = publicKey.Kty };
        if (publicKey.Kty == JsonWebAlgorithmsKeyTypes.RSA)
        {
            (jwk["n"], jwk["e"]) = (publicKey.N, publicKey.E);
        }
        else
        {
            (jwk["crv"], jwk["x"], jwk["y"]) = (publicKey.Crv, publicKey.X, publicKey.Y);
        }

        (jwk["kid"], jwk["alg"], jwk["use"]) = (KeyId, algorithm, "sig");
        Jwks = JsonSerializer.Serialize(new { keys = new[] { jwk } });
    }

    /// <summary>The key id (the public key's RFC 7638 thumbprint, base64url).</summary>
    public string KeyId { get; }

    /// <summary><c>RS384</c> or <c>ES384</c>.</summary>
    public string Algorithm { get; }

    /// <summary>The public key set, as served at <see cref="JwksPath"/>.</summary>
    public string Jwks { get; }

    /// <summary>The configured key, or null when none is configured; a key that cannot be used stops the start naming the setting.</summary>
    public static SmartClientKey? From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (configuration[Key] is not { Length: > 0 } path)
        {
            return null;
        }

        string pem;
        try
        {
            pem = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"{Key}: the key file '{path}' cannot be read ({ex.GetType().Name}).", ex);
        }

        return FromPem(pem);
    }

    /// <summary>The key of a PEM private key (RSA of 2048 bits or more, or EC P-384).</summary>
    public static SmartClientKey FromPem(string pem)
    {
        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            // A public key imports too, and could not sign: the private half must be there.
            _ = rsa.ExportParameters(includePrivateParameters: true);
            if (rsa.KeySize < 2048)
            {
                rsa.Dispose();
                throw new InvalidOperationException($"{Key}: an RSA key must have 2048 bits or more (this one {rsa.KeySize}).");
            }

            return new SmartClientKey(new RsaSecurityKey(rsa), JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(rsa.ExportParameters(false))), SecurityAlgorithms.RsaSha384);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            rsa.Dispose();
        }

        var ec = ECDsa.Create();
        try
        {
            ec.ImportFromPem(pem);
            _ = ec.ExportParameters(includePrivateParameters: true);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            ec.Dispose();
            throw new InvalidOperationException($"{Key}: the file holds no private key Huddle can sign with (a PEM RSA or EC P-384 private key).", ex);
        }

        if (ec.KeySize != 384)
        {
            ec.Dispose();
            throw new InvalidOperationException($"{Key}: an EC key must be on the P-384 curve (ES384, as SMART asks).");
        }

        using var publicHalf = ECDsa.Create(ec.ExportParameters(false));
        return new SmartClientKey(new ECDsaSecurityKey(ec), JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(publicHalf)), SecurityAlgorithms.EcdsaSha384);
    }

    /// <summary>A client assertion for <paramref name="clientId"/> at <paramref name="tokenEndpoint"/>, valid five minutes from <paramref name="now"/>.</summary>
    public string Assertion(string clientId, Uri tokenEndpoint, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(tokenEndpoint);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = clientId,
            Audience = tokenEndpoint.AbsoluteUri,
            IssuedAt = now.UtcDateTime,
            Expires = (now + AssertionLifetime).UtcDateTime,
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = clientId,
                [JwtRegisteredClaimNames.Jti] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
            },
            SigningCredentials = _credentials,
        });
    }
}
