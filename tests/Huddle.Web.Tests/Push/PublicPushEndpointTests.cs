using System.Buffers.Text;
using System.Collections.Immutable;
using System.Net;
using System.Security.Cryptography;
using Huddle.Contracts.Push;
using Huddle.Grains.Push;
using Huddle.Silo.Hosting;
using Huddle.Testing;
using Microsoft.Extensions.Options;

namespace Huddle.Web.Tests.Push;

/// <summary>
/// The silo sends only to public https push services (docs/security.md, "Push"): a subscription naming an
/// address inside the network, by number or by a name that resolves to one, is never called.
/// </summary>
public sealed class PublicPushEndpointTests : IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);
    private TestPushService _push = default!;

    public async ValueTask InitializeAsync() => _push = await TestPushService.StartAsync();

    public async ValueTask DisposeAsync() => await _push.DisposeAsync();

    private static VapidKeys NewKeys()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var p = key.ExportParameters(includePrivateParameters: true);
        return new VapidKeys(Base64Url.EncodeToString([0x04, .. p.Q.X!, .. p.Q.Y!]), Base64Url.EncodeToString(p.D!), "mailto:ops@huddle.test");
    }

    private static PushNotice Notice() => new($"n-{Guid.NewGuid():N}", "handoff", "STAT warm handoff — Exam 3 — open Huddle", "handoff-h-1", "/handoffs/h-1",
        PushUrgency.High, DateTimeOffset.UtcNow.AddMinutes(5), ImmutableDictionary<string, string>.Empty.Add("handoffId", "h-1"), true, true);

    [Fact]
    public async Task A_device_whose_push_service_is_inside_the_network_is_never_sent_to_unless_the_deployment_allows_it()
    {
        var keys = NewKeys();
        var phone = _push.Subscribe();
        var device = new PushDevice("d-1", "Bea's phone", phone.Endpoint, new PushKeys(phone.P256dh, phone.AuthSecret), DateTimeOffset.UtcNow, null, null);
        var ct = TestContext.Current.CancellationToken;

        using (var guarded = new WebPushSender(Options.Create(new PushOptions())))
        {
            // Plain http to loopback (the tests' push service); https to a loopback or private number, to a
            // name that resolves to loopback, and to the cloud metadata address.
            foreach (var endpoint in new[] { phone.Endpoint, $"https://127.0.0.1:{new Uri(phone.Endpoint).Port}/push/x", "https://localhost:9/push/x",
                "https://10.1.2.3:8443/x", "https://169.254.169.254/latest/meta-data", "https://[::1]:9/x" })
            {
                var refused = await guarded.SendAsync(device with { Endpoint = endpoint }, Notice(), TimeSpan.FromMinutes(5), keys, ct);
                Assert.Equal((PushSendOutcome.Rejected, PublicEndpoints.NotPublic), (refused.Outcome, refused.Error));
            }
        }

        // Each refusal returned before anything could reach the service: it has nothing.
        Assert.Empty(_push.Received);
        Assert.Empty(_push.Refused);

        // Where the deployment allows its own push service inside the network, the same device is sent to.
        using var allowed = new WebPushSender(Options.Create(new PushOptions { AllowPrivateEndpoints = true }));
        var sent = await allowed.SendAsync(device, Notice(), TimeSpan.FromMinutes(5), keys, ct);
        Assert.Equal(PushSendOutcome.Delivered, sent.Outcome);
        Assert.Equal("STAT warm handoff — Exam 3 — open Huddle", (await _push.NextAsync(phone, Within)).Json.GetProperty("body").GetString());
    }

    [Theory]
    [InlineData("8.8.8.8", true)]
    [InlineData("142.250.80.10", true)]
    [InlineData("2606:4700:4700::1111", true)]
    [InlineData("10.0.0.1", false)]
    [InlineData("172.20.1.1", false)]
    [InlineData("192.168.1.20", false)]
    [InlineData("127.0.0.53", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("100.64.0.1", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("255.255.255.255", false)]
    [InlineData("::1", false)]
    [InlineData("::", false)]
    [InlineData("fd12:3456::1", false)]
    [InlineData("fe80::1", false)]
    [InlineData("ff02::1", false)]
    [InlineData("::ffff:10.0.0.1", false)]
    [InlineData("::ffff:8.8.8.8", true)]
    public void Only_addresses_routable_on_the_internet_are_public(string address, bool isPublic) =>
        Assert.Equal(isPublic, PublicEndpoints.IsPublic(IPAddress.Parse(address)));
}
