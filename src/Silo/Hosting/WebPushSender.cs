using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Huddle.Contracts.Push;
using Huddle.Grains.Push;
using Lib.Net.Http.WebPush;
using Lib.Net.Http.WebPush.Authentication;
using Microsoft.Extensions.Options;

namespace Huddle.Silo.Hosting;

/// <summary>
/// Sends one notice to one device with <c>Lib.Net.Http.WebPush</c>: the payload encrypted per RFC 8291
/// (aes128gcm) with the device's keys, the request signed per RFC 8292 (<c>Authorization: vapid t=…, k=…</c>),
/// <c>TTL</c> until the notice expires, <c>Urgency: high</c> for pressing pings, and a <c>Topic</c> per
/// subject so a push service holding an older message for a sleeping phone replaces it.
/// </summary>
public sealed class WebPushSender : IPushSender, IDisposable
{
    /// <summary>The most a push service is asked to hold a message (RFC 8030 leaves it to the service; 4 weeks is the common cap).</summary>
    private static readonly TimeSpan MaxTtl = TimeSpan.FromDays(28);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The VAPID keys of the send under way, for <see cref="AudienceFix"/> (it flows with the send's async context).</summary>
    private static readonly AsyncLocal<VapidAuthentication?> Signing = new();

    private readonly HttpClient _http;
    private readonly PushServiceClient _client;
    private readonly bool _allowPrivate;

    public WebPushSender(IOptions<PushOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _allowPrivate = options.Value.AllowPrivateEndpoints;
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        if (!_allowPrivate)
        {
            handler.ConnectCallback = PublicEndpoints.ConnectAsync;
        }

        _http = new HttpClient(new AudienceFix(handler)) { Timeout = Timeout.InfiniteTimeSpan };
        // Retry-After is the dispatcher's business (bounded tries), not the library's.
        _client = new PushServiceClient(_http) { AutoRetryAfter = false, DefaultAuthenticationScheme = VapidAuthenticationScheme.Vapid };
    }

    public async Task<PushSendResult> SendAsync(PushDevice device, PushNotice notice, TimeSpan timeToLive, VapidKeys keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(notice);
        ArgumentNullException.ThrowIfNull(keys);
        if (!_allowPrivate && !device.Endpoint.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            return new PushSendResult(PushSendOutcome.Rejected, Error: PublicEndpoints.NotPublic);
        }

        var subscription = new PushSubscription { Endpoint = device.Endpoint };
        subscription.SetKey(PushEncryptionKeyName.P256DH, device.Keys.P256dh);
        subscription.SetKey(PushEncryptionKeyName.Auth, device.Keys.Auth);
        var message = new PushMessage(Payload(notice))
        {
            TimeToLive = (int)Math.Clamp(timeToLive.TotalSeconds, 0, MaxTtl.TotalSeconds),
            Urgency = notice.Urgency == PushUrgency.High ? PushMessageUrgency.High : PushMessageUrgency.Normal,
            Topic = Topic(notice.Tag),
        };
        using var vapid = new VapidAuthentication(keys.PublicKey, keys.PrivateKey) { Subject = keys.Subject };
        Signing.Value = vapid;
        try
        {
            await _client.RequestPushMessageDeliveryAsync(subscription, message, vapid, VapidAuthenticationScheme.Vapid, cancellationToken);
            return new PushSendResult(PushSendOutcome.Delivered, 201);
        }
        catch (PushServiceClientException ex)
        {
            var code = (int)ex.StatusCode;
            var outcome = ex.StatusCode switch
            {
                HttpStatusCode.NotFound or HttpStatusCode.Gone => PushSendOutcome.Gone,
                HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout => PushSendOutcome.Failed,
                _ when code >= 500 => PushSendOutcome.Failed,
                _ => PushSendOutcome.Rejected,
            };
            return new PushSendResult(outcome, code, $"HTTP {code}");
        }
        catch (HttpRequestException ex) when (ex.InnerException is PublicEndpoints.NotPublicException)
        {
            return new PushSendResult(PushSendOutcome.Rejected, Error: PublicEndpoints.NotPublic);
        }
        catch (HttpRequestException ex)
        {
            return new PushSendResult(PushSendOutcome.Failed, Error: ex.HttpRequestError.ToString());
        }
    }

    /// <summary>What the service worker shows: the PHI-free notice, where a click goes, and ids (docs/api.md, "Push").</summary>
    public static string Payload(PushNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        return JsonSerializer.Serialize(new
        {
            v = 1,
            kind = notice.Kind,
            title = "Huddle",
            body = notice.Body,
            tag = notice.Tag,
            url = notice.Url,
            ids = notice.Ids,
            urgency = notice.Urgency == PushUrgency.High ? "high" : "normal",
            requireInteraction = notice.RequireInteraction,
            vibrate = notice.Vibrate,
            actions = notice.Kind == "handoff" ? new[] { new { action = "accept", title = "Accept — 5 min" } } : [],
        }, Json);
    }

    /// <summary>RFC 8030 §5.4: at most 32 base64url characters; a hash of the tag fits and names one subject.</summary>
    private static string Topic(string tag) =>
        Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(tag)))[..32].Replace('+', '-').Replace('/', '_');

    public void Dispose() => _http.Dispose();

    /// <summary>
    /// The library signs its VAPID token for <c>scheme://host</c>, leaving out a port that is not the
    /// default, while RFC 8292 §2 names the push resource's origin, port included. Real push services
    /// listen on 443, where both agree; a push service on another port (an integrator's, the tests')
    /// would refuse the token, so such a request is signed again for its origin.
    /// </summary>
    private sealed class AudienceFix(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri is { IsDefaultPort: false } uri && Signing.Value is { } vapid)
            {
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("vapid",
                    vapid.GetVapidSchemeAuthenticationHeaderValueParameter(uri.GetLeftPart(UriPartial.Authority)));
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
