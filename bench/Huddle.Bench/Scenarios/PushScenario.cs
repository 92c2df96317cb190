using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Huddle.Bench.Load;
using static Huddle.Bench.Scenarios.ScenarioHttp;
using Huddle.Bench.Targets;
using Microsoft.AspNetCore.SignalR.Client;

namespace Huddle.Bench.Scenarios;

/// <summary>
/// How soon a warm handoff's ping reaches a consultant's locked phone (Web Push), against the live
/// ping of the same request on an open page. Per round the PCP requests an urgent handoff to the BHC
/// (<c>POST /api/handoffs</c>), timed from the request's start to (1) the ping on the BHC's hub
/// connection, the <b>baseline</b>, and (2) the push message's arrival at a push service of the
/// bench's own on loopback (it answers 201 at once, as FCM does; the message is encrypted and signed
/// exactly as for a real one). The handoff is then cancelled. With <c>--storage azure</c> the push's
/// path includes the devices row's write and the reminder's registration on Azurite.
/// </summary>
internal sealed class PushScenario : IScenario
{
    private const string Team = "bench-push";
    private const string Patient = "bench-push-p";
    private const string Pcp = "u-pu-pcp";
    private const string Bhc = "u-pu-bhc";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    public string Name => "push";

    public async Task<ScenarioReport> RunAsync(BenchContext context, CancellationToken ct)
    {
        var rounds = context.Options.RevokeRounds;
        using var pushService = LoopbackPushService.Start();
        await using var server = await context.StartHuddleAsync(seed: false, ct);
        await server.WaitReadyAsync(TimeSpan.FromSeconds(60), ct);
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        using (var put = await http.SendAsync(HuddleTarget.Dev(HttpMethod.Put, $"/api/dev/teams/{Team}", new
        {
            name = "Bench push",
            members = new[] { new { userId = Pcp, displayName = "Dr. Bench", role = "pcp" }, new { userId = Bhc, displayName = "Bench BHC", role = "bhc" } },
            displayIds = Array.Empty<string>(),
            patients = new[] { new { patientId = Patient, displayName = "Rosa Delgado", room = "Exam 3" } },
        }), ct))
        {
            put.EnsureSuccessStatusCode();
        }

        var (pcpToken, bhcToken) = (await HuddleTarget.TokenAsync(http, Pcp, ct), await HuddleTarget.TokenAsync(http, Bhc, ct));
        using (var device = await SendAsync(http, HttpMethod.Put, "/api/push/devices/bench-phone", bhcToken, pushService.Subscription, ct))
        {
            device.EnsureSuccessStatusCode();
        }

        var pings = Channel.CreateUnbounded<(long At, string? Room)>();
        await using var bhc = Connections.Build(new Uri(server.BaseAddress, "hubs/huddle"), bhcToken);
        Connections.ListenForPings(bhc, room => pings.Writer.TryWrite((Stopwatch.GetTimestamp(), room)));
        await bhc.StartAsync(ct);
        var inbox = await bhc.InvokeAsync<JsonElement>("SubscribeInbox", ct);
        if (!inbox.GetProperty("ok").GetBoolean())
        {
            throw new InvalidOperationException($"The BHC could not open their inbox: {inbox}");
        }

        Console.WriteLine($"  push: {rounds} rounds of an urgent handoff timed to the live ping (baseline) and to the push service (Huddle)");
        var (live, pushed, loads) = (new List<double>(), new List<double>(), new List<double>());
        for (var round = 0; round < rounds + 2; round++)
        {
            loads.Add(Machine.OneMinute(Machine.LoadAverage()));
            var room = $"Bench {round}";
            var start = Stopwatch.GetTimestamp();
            string handoffId;
            using (var requested = await SendAsync(http, HttpMethod.Post, "/api/handoffs", pcpToken, new
            {
                teamId = Team,
                patientId = Patient,
                room,
                target = new { userId = Bhc },
                priority = "urgent",
                reason = new { situation = "Bench" },
                opId = $"pu-{round}-{Guid.NewGuid():N}"[..24],
            }, ct))
            {
                requested.EnsureSuccessStatusCode();
                handoffId = (await requested.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("handoffId").GetString()!;
            }

            var l = await UntilAsync(pings.Reader, r => r == room, start, "the live ping", ct);
            var p = Stopwatch.GetElapsedTime(start, await pushService.NextAsync(Wait, ct)).TotalMilliseconds;
            using (var cancelled = await SendAsync(http, HttpMethod.Post, $"/api/handoffs/{handoffId}/cancel", pcpToken, new { reason = "bench" }, ct))
            {
                cancelled.EnsureSuccessStatusCode();
            }

            // The first two rounds warm the grains and the JIT: not counted.
            if (round >= 2)
            {
                (live, pushed) = ([.. live, l], [.. pushed, p]);
            }
        }

        var (ls, ps) = (Spread.Of(live), Spread.Of(pushed));
        var load = Spread.Of(loads.Where(v => !double.IsNaN(v)));
        var details = new JsonObject
        {
            ["rounds"] = rounds,
            ["storage"] = context.Durable ? "azure" : "memory",
            ["live_ping_ms"] = Json(ls),
            ["push_ms"] = Json(ps),
            ["push_after_live_ms_median"] = Math.Round(ps.Median - ls.Median, 1),
            ["loadavg_1m"] = Json(load),
        };
        var table = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"{"",-36}{"median",10}{"min",10}{"max",10}")
            .AppendLine(CultureInfo.InvariantCulture, $"{"live ping on the page (baseline), ms",-36}{ls.Median,10:0.0}{ls.Min,10:0.0}{ls.Max,10:0.0}")
            .AppendLine(CultureInfo.InvariantCulture, $"{"push at the push service, ms",-36}{ps.Median,10:0.0}{ps.Min,10:0.0}{ps.Max,10:0.0}")
            .AppendLine(CultureInfo.InvariantCulture, $"push − live ping (medians): {ps.Median - ls.Median:0.0} ms; load average (1 min) {load.Min:0.00}-{load.Max:0.00}")
            .ToString();
        var prefix = context.Durable ? "push_durable" : "push";
        return new ScenarioReport(Name, table, details, new Dictionary<string, double>
        {
            [$"{prefix}_p50_ms"] = Math.Round(ps.Median, 1),
            [$"{prefix}_max_ms"] = Math.Round(ps.Max, 1),
            [$"{prefix}_live_p50_ms"] = Math.Round(ls.Median, 1),
        });
    }

    private static async Task<double> UntilAsync(ChannelReader<(long At, string? Room)> pings, Func<string?, bool> match, long start, string what, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Wait);
        try
        {
            while (true)
            {
                var (at, room) = await pings.ReadAsync(timeout.Token);
                if (match(room))
                {
                    return Stopwatch.GetElapsedTime(start, at).TotalMilliseconds;
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"push: {what} did not arrive within {Wait.TotalSeconds:0} s.");
        }
    }

    /// <summary>
    /// A push service on loopback that takes every message (201) and notes when it arrived: the
    /// receiving side only (the tests' push service also checks and decrypts; here only time counts).
    /// </summary>
    private sealed class LoopbackPushService : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Channel<long> _arrivals = Channel.CreateUnbounded<long>();

        public object Subscription { get; private init; } = default!;

        public static LoopbackPushService Start()
        {
            var port = ServerProcess.FreePort();
            var service = new LoopbackPushService
            {
                Subscription = new
                {
                    endpoint = $"http://127.0.0.1:{port}/push/bench",
                    keys = new { p256dh = DevicePublicKey(), auth = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)) },
                    name = "Bench phone",
                },
            };
            service._listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            service._listener.Start();
            _ = service.ServeAsync();
            return service;
        }

        public async Task<long> NextAsync(TimeSpan wait, CancellationToken ct)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(wait);
            try
            {
                return await _arrivals.Reader.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException($"push: no message reached the push service within {wait.TotalSeconds:0} s.");
            }
        }

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext request;
                try
                {
                    request = await _listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                _arrivals.Writer.TryWrite(Stopwatch.GetTimestamp());
                request.Response.StatusCode = 201;
                request.Response.Close();
            }
        }

        private static string DevicePublicKey()
        {
            using var key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
            var q = key.ExportParameters(false).Q;
            return Base64Url.EncodeToString([0x04, .. q.X!, .. q.Y!]);
        }

        public void Dispose() => _listener.Close();
    }
}
