using System.Buffers.Binary;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Huddle.Testing;

/// <summary>
/// A push service for tests, on loopback: the receiving side of RFC 8030 and the user agent's side of
/// RFC 8291. Each <see cref="Subscribe"/> makes a subscription as a browser would (a P-256 key pair and
/// an auth secret) whose endpoint is this service. A message posted to it is checked the way a real
/// push service and browser would: the VAPID token (RFC 8292: ES256 signature against the key in the
/// header, audience = this origin, expiry within 24 h, a subject), then the aes128gcm body decrypted
/// with the subscription's private key. What arrives is in <see cref="Received"/>; a subscription can
/// be told to answer 410 (gone) or to be slow. Hand-written: no package implements a push service.
/// </summary>
public sealed class TestPushService : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Subscription> _subscriptions = new();
    private readonly Channel<PushReceived> _received = Channel.CreateUnbounded<PushReceived>();
    private WebApplication? _app;

    public Uri BaseAddress { get; private set; } = default!;

    /// <summary>Every message taken (status 201), in order of arrival.</summary>
    public ConcurrentQueue<PushReceived> Received { get; } = new();

    /// <summary>Every request refused, with why (a bad token, a body that does not decrypt).</summary>
    public ConcurrentQueue<string> Refused { get; } = new();

    public static async Task<TestPushService> StartAsync()
    {
        var service = new TestPushService();
        var builder = WebApplication.CreateSlimBuilder();
        // Nothing from the test's folder (the app's appsettings.json names port 5000) or environment: a free loopback port only.
        builder.Configuration.Sources.Clear();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        app.MapPost("/push/{id}", service.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        service._app = app;
        service.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        return service;
    }

    /// <summary>A new subscription, as a browser's <c>pushManager.subscribe</c> would make it.</summary>
    public Subscription Subscribe()
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var subscription = new Subscription(id, new Uri(BaseAddress, $"push/{id}").ToString(), ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256), RandomNumberGenerator.GetBytes(16));
        _subscriptions[id] = subscription;
        return subscription;
    }

    /// <summary>The next message taken for <paramref name="subscription"/> within <paramref name="timeout"/>, else throws.</summary>
    public async Task<PushReceived> NextAsync(Subscription subscription, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var message = await _received.Reader.ReadAsync(cts.Token);
                if (message.SubscriptionId == subscription.Id)
                {
                    return message;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No push message reached subscription {subscription.Id} within {timeout}; refused: [{string.Join("; ", Refused)}]");
        }
    }

    private async Task<IResult> HandleAsync(string id, HttpRequest request)
    {
        if (!_subscriptions.TryGetValue(id, out var subscription))
        {
            return Results.NotFound();
        }

        if (subscription.Delay > TimeSpan.Zero)
        {
            await Task.Delay(subscription.Delay);
        }

        if (subscription.AnswerGone)
        {
            return Results.StatusCode(StatusCodes.Status410Gone);
        }

        if (subscription.FailWith is { } status)
        {
            return Results.StatusCode(status);
        }

        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        try
        {
            var (claims, key) = CheckVapid(request.Headers.Authorization.ToString(), BaseAddress);
            if (!string.Equals(request.Headers.ContentEncoding.ToString(), "aes128gcm", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"Content-Encoding is '{request.Headers.ContentEncoding}', not aes128gcm.");
            }

            var payload = Decrypt(buffer.ToArray(), subscription);
            var message = new PushReceived(id, payload, claims,
                int.TryParse(request.Headers["TTL"], out var ttl) ? ttl : -1,
                request.Headers["Urgency"].ToString(), request.Headers["Topic"].ToString(), key, DateTimeOffset.UtcNow);
            Received.Enqueue(message);
            _received.Writer.TryWrite(message);
            return Results.Created();
        }
        catch (Exception ex) when (ex is InvalidOperationException or CryptographicException or FormatException or JsonException)
        {
            Refused.Enqueue(ex.Message);
            return Results.BadRequest(ex.Message);
        }
    }

    /// <summary>RFC 8292 §3: <c>vapid t=&lt;JWT&gt;, k=&lt;public key&gt;</c>; the JWT's ES256 signature checked against k.</summary>
    private static (JsonElement Claims, string Key) CheckVapid(string authorization, Uri origin)
    {
        if (!authorization.StartsWith("vapid ", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Authorization is not the vapid scheme: '{authorization.Split(' ')[0]}'.");
        }

        var parts = authorization["vapid ".Length..].Split(',', StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var token = parts["t"].Split('.');
        var key = Base64Url.DecodeFromChars(parts["k"]);
        if (token.Length != 3 || key.Length != 65 || key[0] != 4)
        {
            throw new InvalidOperationException("The VAPID token or key is malformed.");
        }

        using var ecdsa = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = key[1..33], Y = key[33..] } });
        if (!ecdsa.VerifyData(Encoding.ASCII.GetBytes($"{token[0]}.{token[1]}"), Base64Url.DecodeFromChars(token[2]), HashAlgorithmName.SHA256))
        {
            throw new InvalidOperationException("The VAPID token's signature does not verify against its key.");
        }

        using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(token[0]));
        if (header.RootElement.GetProperty("alg").GetString() != "ES256")
        {
            throw new InvalidOperationException("The VAPID token is not ES256.");
        }

        var claims = JsonDocument.Parse(Base64Url.DecodeFromChars(token[1])).RootElement.Clone();
        var audience = $"{origin.Scheme}://{origin.Authority}";
        if (claims.GetProperty("aud").GetString() != audience)
        {
            throw new InvalidOperationException($"The VAPID audience is '{claims.GetProperty("aud")}', not '{audience}'.");
        }

        var expires = DateTimeOffset.FromUnixTimeSeconds(claims.GetProperty("exp").GetInt64());
        if (expires <= DateTimeOffset.UtcNow || expires > DateTimeOffset.UtcNow.AddHours(24))
        {
            throw new InvalidOperationException($"The VAPID token expires at {expires:O}: not within the next 24 hours.");
        }

        if (!claims.TryGetProperty("sub", out var sub) || sub.GetString() is not { Length: > 0 })
        {
            throw new InvalidOperationException("The VAPID token has no subject.");
        }

        return (claims, parts["k"]);
    }

    /// <summary>RFC 8291 §3.4 and RFC 8188: one aes128gcm record, keyed from ECDH with the sender's key and the auth secret.</summary>
    private static string Decrypt(byte[] body, Subscription subscription)
    {
        var salt = body[..16];
        var recordSize = BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(16, 4));
        var idLength = body[20];
        var senderKey = body[21..(21 + idLength)];
        var ciphertext = body[(21 + idLength)..];
        if (idLength != 65 || ciphertext.Length > recordSize)
        {
            throw new InvalidOperationException($"The aes128gcm header is not one Web Push record (keyid {idLength} bytes, record size {recordSize}).");
        }

        using var sender = ECDiffieHellman.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = senderKey[1..33], Y = senderKey[33..] } });
        var shared = subscription.Key.DeriveRawSecretAgreement(sender.PublicKey);
        var keyInfo = Encoding.ASCII.GetBytes("WebPush: info\0").Concat(subscription.PublicKey).Concat(senderKey).ToArray();
        var ikm = HKDF.DeriveKey(HashAlgorithmName.SHA256, shared, 32, subscription.Auth, keyInfo);
        var prk = HKDF.Extract(HashAlgorithmName.SHA256, ikm, salt);
        var cek = HKDF.Expand(HashAlgorithmName.SHA256, prk, 16, Encoding.ASCII.GetBytes("Content-Encoding: aes128gcm\0"));
        var nonce = HKDF.Expand(HashAlgorithmName.SHA256, prk, 12, Encoding.ASCII.GetBytes("Content-Encoding: nonce\0"));
        var plain = new byte[ciphertext.Length - 16];
        using (var aes = new AesGcm(cek, 16))
        {
            aes.Decrypt(nonce, ciphertext[..^16], ciphertext[^16..], plain);
        }

        // The last record ends with the delimiter 2, then zero padding.
        var end = Array.FindLastIndex(plain, b => b != 0);
        if (end < 0 || plain[end] != 2)
        {
            throw new InvalidOperationException("The decrypted record has no last-record delimiter.");
        }

        return Encoding.UTF8.GetString(plain, 0, end);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var subscription in _subscriptions.Values)
        {
            subscription.Key.Dispose();
        }

        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    /// <summary>One subscription: its endpoint and, as the browser would give them, its keys (base64url).</summary>
    public sealed class Subscription(string id, string endpoint, ECDiffieHellman key, byte[] auth)
    {
        public string Id { get; } = id;

        public string Endpoint { get; } = endpoint;

        internal ECDiffieHellman Key { get; } = key;

        internal byte[] Auth { get; } = auth;

        internal byte[] PublicKey
        {
            get
            {
                var q = Key.ExportParameters(false).Q;
                return [0x04, .. q.X!, .. q.Y!];
            }
        }

        public string P256dh => Base64Url.EncodeToString(PublicKey);

        public string AuthSecret => Base64Url.EncodeToString(Auth);

        /// <summary>When set, every message is answered 410 Gone (the browser unsubscribed).</summary>
        public bool AnswerGone { get; set; }

        /// <summary>When set, every message is answered with this status and not taken (a push service that is down: 503).</summary>
        public int? FailWith { get; set; }

        /// <summary>How long the service waits before it answers (a slow push service).</summary>
        public TimeSpan Delay { get; set; }

        /// <summary>The subscription as the API takes it (PUT /api/push/devices/{deviceId}).</summary>
        public object Body(string? name = null) => new { endpoint = Endpoint, keys = new { p256dh = P256dh, auth = AuthSecret }, name };
    }
}

/// <summary>One message the test push service took: the decrypted payload, the VAPID claims and the RFC 8030 headers.</summary>
public sealed record PushReceived(string SubscriptionId, string Payload, JsonElement Claims, int Ttl, string Urgency, string Topic, string VapidKey, DateTimeOffset At)
{
    public JsonElement Json => JsonDocument.Parse(Payload).RootElement;
}
