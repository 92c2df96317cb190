using System.Buffers.Text;
using System.Collections.Immutable;
using Huddle.Contracts.Push;
using Huddle.Storage.Tests.Infrastructure;
using Huddle.Testing;

namespace Huddle.Storage.Tests;

/// <summary>
/// Push devices on Azure Table storage (Azurite), with the real sender and a push service of the
/// test's own: devices and the generated VAPID key survive a silo restart, and a notice the push
/// service refused before the restart is sent by the next activation.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class PushDurabilityTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private TestPushService _push = default!;

    public async ValueTask InitializeAsync() => _push = await TestPushService.StartAsync();

    public async ValueTask DisposeAsync() => await _push.DisposeAsync();

    [Fact]
    public async Task Devices_the_key_and_a_pending_notice_survive_a_silo_restart()
    {
        var settings = HuddleTestCluster.AzureTableConfig(azurite.Server);
        // The tests' push service listens on plain http on loopback, which production refuses.
        settings["Huddle:Push:AllowPrivateEndpoints"] = "true";
        var serviceId = "huddle-" + Guid.NewGuid().ToString("N");
        var user = "u-push-" + Guid.NewGuid().ToString("N")[..8];
        var phone = _push.Subscribe();
        phone.FailWith = 503;
        var notice = new PushNotice($"n-{Guid.NewGuid():N}", "handoff", "STAT warm handoff — Exam 3 — open Huddle", "handoff-h-1", "/handoffs/h-1",
            PushUrgency.High, DateTimeOffset.UtcNow.AddMinutes(5), ImmutableDictionary<string, string>.Empty.Add("handoffId", "h-1"), true, true);
        string key;

        await using (var cluster = await HuddleTestCluster.StartAsync(serviceId, settings))
        {
            var devices = cluster.Client.GetGrain<IPushDevicesGrain>(user);
            Assert.True((await devices.SubscribeAsync(new PushSubscriptionInput("phone", phone.Endpoint, new PushKeys(phone.P256dh, phone.AuthSecret), "Phone"))).Ok);
            key = (await cluster.Client.GetGrain<IPushKeysGrain>(IPushKeysGrain.Key).GetAsync()).PublicKey;
            Assert.Equal(65, Base64Url.DecodeFromChars(key).Length);
            await devices.NotifyAsync(notice);
            // The push service is down: three tries, reported back, and the notice stays pending.
            await Eventually.Until(async () => (await devices.ListAsync()).Devices is [{ LastError: "HTTP 503" }], TimeSpan.FromSeconds(30), "the failed tries reported");
        }

        phone.FailWith = null;
        await using (var cluster = await HuddleTestCluster.StartAsync(serviceId, settings))
        {
            Assert.Equal(key, (await cluster.Client.GetGrain<IPushKeysGrain>(IPushKeysGrain.Key).GetAsync()).PublicKey);
            var devices = await cluster.Client.GetGrain<IPushDevicesGrain>(user).ListAsync();
            Assert.Equal("Phone", Assert.Single(devices.Devices).Name);

            // The activation (here: that list) hands the stored notice over: it arrives, signed with the kept key.
            var message = await _push.NextAsync(phone, TimeSpan.FromSeconds(30));
            Assert.Equal("STAT warm handoff — Exam 3 — open Huddle", message.Json.GetProperty("body").GetString());
            Assert.Equal(key, message.VapidKey);
            Assert.True(message.Json.GetProperty("requireInteraction").GetBoolean());
        }
    }
}
