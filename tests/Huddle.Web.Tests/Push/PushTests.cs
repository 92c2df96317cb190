using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Huddle.Testing;
using Huddle.Web.Http;
using Xunit;

namespace Huddle.Web.Tests.Push;

/// <summary>
/// Pings pushed to a clinician's devices (Web Push), end to end through a push service of the test's
/// own (<see cref="TestPushService"/>) that checks the VAPID signature and decrypts the payload as a
/// browser would.
/// </summary>
public sealed class PushTests(HuddleAppFixture app) : IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);
    private TestPushService _push = default!;

    public async ValueTask InitializeAsync() => _push = await TestPushService.StartAsync();

    public async ValueTask DisposeAsync() => await _push.DisposeAsync();

    [Fact]
    public async Task An_urgent_handoff_reaches_the_consultants_device_signed_encrypted_and_without_PHI()
    {
        var team = await app.CreateTeamAsync();
        var phone = _push.Subscribe();
        using var bhc = await app.HttpAsAsync(team.Bhc);
        var added = await PutAsync(bhc, "phone-1", phone.Body("Bea's phone"));
        Assert.Equal("127.0.0.1", added.GetProperty("pushService").GetString());

        var handoffId = await app.RequestOneAsync(team);
        var message = await _push.NextAsync(phone, Within);

        var payload = message.Json;
        Assert.Equal("Urgent warm handoff — Exam 1 — open Huddle", payload.GetProperty("body").GetString());
        Assert.Equal($"/handoffs/{handoffId}", payload.GetProperty("url").GetString());
        Assert.Equal($"handoff-{handoffId}", payload.GetProperty("tag").GetString());
        Assert.Equal(handoffId, payload.GetProperty("ids").GetProperty("handoffId").GetString());
        Assert.True(payload.GetProperty("vibrate").GetBoolean());
        Assert.False(payload.GetProperty("requireInteraction").GetBoolean());
        Assert.Equal("accept", payload.GetProperty("actions")[0].GetProperty("action").GetString());
        // The patient's name, their id and the reason are PHI: none of it may reach a push service.
        foreach (var phi in new[] { "Alma", "Reyes", "PHQ-9", team.Patients[0] })
        {
            Assert.DoesNotContain(phi, message.Payload, StringComparison.Ordinal);
        }

        Assert.Equal("high", message.Urgency);
        // Worth delivering until the escalation's next step (urgent: 5 min), when someone else is asked.
        Assert.InRange(message.Ttl, 240, 300);
        Assert.Equal(32, message.Topic.Length);
        Assert.StartsWith("mailto:", message.Claims.GetProperty("sub").GetString(), StringComparison.Ordinal);

        // The key the messages are signed with is the one the API gives browsers to subscribe with.
        using var key = await bhc.GetAsync("api/push/key");
        Assert.Equal((await key.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("publicKey").GetString(), message.VapidKey);

        // The device's list says it was sent to.
        await Eventually.Until(async () => (await ListAsync(bhc)).Single().TryGetProperty("lastSentAt", out var at) && at.ValueKind == JsonValueKind.String,
            Within, "the device's lastSentAt");
    }

    [Fact]
    public async Task A_device_whose_push_service_answers_gone_is_removed()
    {
        var team = await app.CreateTeamAsync();
        var (gone, kept) = (_push.Subscribe(), _push.Subscribe());
        gone.AnswerGone = true;
        using var bhc = await app.HttpAsAsync(team.Bhc);
        await PutAsync(bhc, "old-phone", gone.Body());
        await PutAsync(bhc, "new-phone", kept.Body());

        await app.RequestOneAsync(team);
        await _push.NextAsync(kept, Within);
        await Eventually.Until(async () => (await ListAsync(bhc)).Select(d => d.GetProperty("deviceId").GetString()).SequenceEqual(["new-phone"]),
            Within, "only the device still subscribed is listed");
    }

    [Fact]
    public async Task A_slow_push_service_does_not_hold_the_live_ping_or_the_requesters_answer()
    {
        var team = await app.CreateTeamAsync();
        var phone = _push.Subscribe();
        phone.Delay = TimeSpan.FromSeconds(4);
        using var bhcHttp = await app.HttpAsAsync(team.Bhc);
        await PutAsync(bhcHttp, "slow-phone", phone.Body());
        await using var bhc = await Clinician.ConnectAsync(app, team.Bhc);

        var clock = Stopwatch.StartNew();
        await app.RequestOneAsync(team);
        var answered = clock.Elapsed;
        await bhc.NextHintAsync("the live ping");
        var pinged = clock.Elapsed;
        // While the push service still holds the message, the requester had their answer and the open page its ping.
        Assert.DoesNotContain(_push.Received, m => m.SubscriptionId == phone.Id);
        await _push.NextAsync(phone, Within);
        var pushed = clock.Elapsed;
        Assert.True(pinged < pushed && answered < pushed, $"answered {answered.TotalMilliseconds:F0} ms, pinged {pinged.TotalMilliseconds:F0} ms, pushed {pushed.TotalMilliseconds:F0} ms");
        TestContext.Current.TestOutputHelper?.WriteLine($"answered {answered.TotalMilliseconds:F0} ms, live ping {pinged.TotalMilliseconds:F0} ms, push taken {pushed.TotalMilliseconds:F0} ms (service delay 4000 ms)");
    }

    [Fact]
    public async Task A_clinician_on_do_not_disturb_gets_no_push()
    {
        var team = await app.CreateTeamAsync();
        var phone = _push.Subscribe();
        using var bhc = await app.HttpAsAsync(team.Bhc);
        await PutAsync(bhc, "quiet-phone", phone.Body());
        (await bhc.PutAsJsonAsync("api/presence", new { status = "doNotDisturb" }, HuddleJson.Options)).EnsureSuccessStatusCode();
        var quiet = await app.RequestOneAsync(team);

        (await bhc.PutAsJsonAsync("api/presence", new { status = "available" }, HuddleJson.Options)).EnsureSuccessStatusCode();
        using var pcp = await app.HttpAsAsync(team.Pcp);
        (await pcp.PostAsync($"api/handoffs/{quiet}/cancel", JsonContent.Create(new { reason = "test" }, options: HuddleJson.Options))).EnsureSuccessStatusCode();
        var heard = await app.RequestOneAsync(team);

        // The first message this device ever gets is the second handoff's: the first was never pushed.
        var first = await _push.NextAsync(phone, Within);
        Assert.Equal(heard, first.Json.GetProperty("ids").GetProperty("handoffId").GetString());
    }

    [Fact]
    public async Task A_push_service_that_is_down_turns_push_health_degraded_and_never_readiness()
    {
        var team = await app.CreateTeamAsync();
        var phone = _push.Subscribe();
        phone.FailWith = 503;
        using var bhc = await app.HttpAsAsync(team.Bhc);
        await PutAsync(bhc, "down-phone", phone.Body());
        using var anonymous = app.Http();

        // Two pings, three tries each: six failures in a row.
        await app.RequestOneAsync(team);
        await Eventually.Until(async () => (await ListAsync(bhc)).Single().GetProperty("lastError").GetString() == "HTTP 503", Within, "the first ping's tries reported");
        await app.RequestOneAsync(team);
        await Eventually.Until(async () => (await anonymous.GetStringAsync("health/push")) == "Degraded", Within, "push health degraded");
        using (var ready = await anonymous.GetAsync("health/ready"))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        // The push service is back: the next message taken makes push healthy again.
        phone.FailWith = null;
        await app.RequestOneAsync(team);
        await _push.NextAsync(phone, Within);
        await Eventually.Until(async () => (await anonymous.GetStringAsync("health/push")) == "Healthy", Within, "push health back");
    }

    [Fact]
    public async Task Bad_subscriptions_are_refused_and_change_nothing()
    {
        var team = await app.CreateTeamAsync();
        using var bhc = await app.HttpAsAsync(team.Bhc);
        var phone = _push.Subscribe();
        var keys = new { p256dh = phone.P256dh, auth = phone.AuthSecret };
        (string DeviceId, object Body)[] bad =
        [
            ("plain-http", new { endpoint = "http://push.example.com/send/1", keys }),
            ("relative", new { endpoint = "/send/1", keys }),
            ("short-key", new { endpoint = "https://push.example.com/send/1", keys = new { p256dh = "BAAA", auth = phone.AuthSecret } }),
            ("short-auth", new { endpoint = "https://push.example.com/send/1", keys = new { p256dh = phone.P256dh, auth = "AAAA" } }),
            ("bad id!", new { endpoint = "https://push.example.com/send/1", keys }),
            ("long-name", new { endpoint = "https://push.example.com/send/1", keys, name = new string('x', 61) }),
        ];
        foreach (var (deviceId, body) in bad)
        {
            using var refused = await bhc.PutAsJsonAsync($"api/push/devices/{Uri.EscapeDataString(deviceId)}", body, HuddleJson.Options);
            Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{deviceId}: {(int)refused.StatusCode} {await refused.Content.ReadAsStringAsync()}");
            Assert.Equal("validation_failed", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        }

        Assert.Empty(await ListAsync(bhc));

        // Rename and remove: the caller's own devices, by id; at most ten, the one unused longest dropped.
        for (var i = 0; i < 11; i++)
        {
            await PutAsync(bhc, $"dev-{i}", _push.Subscribe().Body());
        }

        var listed = await ListAsync(bhc);
        Assert.Equal(10, listed.Length);
        Assert.DoesNotContain("dev-0", listed.Select(d => d.GetProperty("deviceId").GetString()));
        using var renamed = await bhc.PatchAsJsonAsync("api/push/devices/dev-3", new { name = "Ward tablet" }, HuddleJson.Options);
        renamed.EnsureSuccessStatusCode();
        Assert.Equal("Ward tablet", (await ListAsync(bhc)).Single(d => d.GetProperty("deviceId").GetString() == "dev-3").GetProperty("name").GetString());
        using var unknown = await bhc.PatchAsJsonAsync("api/push/devices/dev-0", new { name = "Gone" }, HuddleJson.Options);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var removed = await bhc.DeleteAsync("api/push/devices/dev-3");
        Assert.True((await removed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("removed").GetBoolean());
        Assert.Equal(9, (await ListAsync(bhc)).Length);

        // Another clinician's list is their own.
        using var pcp = await app.HttpAsAsync(team.Pcp);
        Assert.Empty(await ListAsync(pcp));
    }

    private static async Task<JsonElement> PutAsync(HttpClient http, string deviceId, object body)
    {
        using var response = await http.PutAsJsonAsync($"api/push/devices/{deviceId}", body, HuddleJson.Options);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, answer.GetRawText());
        return answer;
    }

    private static async Task<JsonElement[]> ListAsync(HttpClient http) =>
        [.. (await http.GetFromJsonAsync<JsonElement>("api/push/devices")).GetProperty("devices").EnumerateArray()];
}
