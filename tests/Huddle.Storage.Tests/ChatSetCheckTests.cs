using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Huddle.Storage.Tests.Infrastructure;
using Huddle.Storage.Tests.Jepsen;
using Huddle.Testing;

namespace Huddle.Storage.Tests;

/// <summary>
/// A Jepsen-style set check of chat, written from docs/api.md alone: real SignalR and HTTP clients
/// (<see cref="ChatDevice"/>) against the real web host on Azure Table storage (Azurite). Four
/// clinicians on six devices write in one patient thread; each device drops its connection, loses
/// replies, is cut off mid-send, goes away while others write and resends acknowledged messages; the
/// host is killed with SIGKILL twice mid-run and started again on the same port and tables. At the end
/// every device syncs and shows part of the thread, and <see cref="ChatChecker"/> judges the history
/// against the server's log and every device's unread count against what its clinician read.
/// The seed is printed; <c>HUDDLE_JEPSEN_SEED</c> replays its choices (not the machine's timing).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ChatSetCheckTests(AzuriteFixture azurite)
{
    private const int MessagesPerDevice = 30;
    private static readonly TimeSpan RunLimit = TimeSpan.FromSeconds(100);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Six_devices_with_disconnects_lost_replies_resends_and_two_host_kills_end_with_every_acknowledged_message_once_in_order_and_true_unread_counts_on_every_device()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("HUDDLE_JEPSEN_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var given) ? given : Random.Shared.Next();
        var output = TestContext.Current.TestOutputHelper;
        output?.WriteLine($"seed {seed} (HUDDLE_JEPSEN_SEED={seed} repeats the clients' choices)");
        var clock = Stopwatch.StartNew();
        var n = Guid.NewGuid().ToString("N")[..8];
        var (teamId, patientId) = ($"team-jep-{n}", $"p-jep-{n}");
        string[] clinicians = [$"u-pcp-{n}", $"u-bhc-{n}", $"u-cm-{n}", $"u-psy-{n}"];
        var threadId = $"pt.{patientId}";

        await using var host = new ChatHost(new HuddleWebProcess(azurite.Server.ConnectionString, $"Jep{Guid.NewGuid():N}"[..20]));
        await host.Web.StartAsync(Ct);
        using (var created = await host.Web.Http.PutAsJsonAsync($"api/dev/teams/{teamId}", new
        {
            name = "Set check team",
            members = new[]
            {
                new { userId = clinicians[0], displayName = "Dr. Pat Carter", role = "pcp" },
                new { userId = clinicians[1], displayName = "Sam Okafor", role = "bhc" },
                new { userId = clinicians[2], displayName = "Rae Rivera", role = "careManager" },
                new { userId = clinicians[3], displayName = "Dr. Ito Nakamura", role = "consultingPsychiatrist" },
            },
            patients = new[] { new { patientId, displayName = "Alma Reyes", room = "Exam 3" } },
        }, Ct))
        {
            created.EnsureSuccessStatusCode();
        }

        // The PCP on a laptop and a phone, the BHC on two phones, the others on one device each.
        var ledger = new ChatLedger();
        var random = new Random(seed);
        (string Name, string UserId)[] layout =
        [
            ("pcp-laptop", clinicians[0]), ("pcp-phone", clinicians[0]), ("bhc-phone-a", clinicians[1]),
            ("bhc-phone-b", clinicians[1]), ("cm-laptop", clinicians[2]), ("psy-phone", clinicians[3]),
        ];
        var devices = layout.Select(d => new ChatDevice(d.Name, d.UserId, host, threadId, ledger, random.Next())).ToList();
        var problems = new List<string>();
        try
        {
            using var run = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            run.CancelAfter(RunLimit);
            await Task.WhenAll(devices.Select(d => d.StartAsync(run.Token)));
            var total = devices.Count * MessagesPerDevice;
            var scripts = devices.Select(d => Task.Run(() => d.RunAsync(MessagesPerDevice, run.Token), run.Token)).ToList();

            // The nemesis: SIGKILL the host a third and two thirds of the way through, with sends in flight.
            foreach (var share in new[] { 3, 3 * 2 })
            {
                var threshold = total * share / 9;
                await WaitAsync(() => ledger.Acknowledged >= threshold || scripts.All(s => s.IsCompleted), run.Token, $"{threshold} acknowledged messages");
                await host.KillAndRestartAsync(run.Token);
                ledger.Fault("host killed and restarted");
            }

            await Task.WhenAll(scripts);

            // The truth: the whole log, read from seq 0 over HTTP a page at a time.
            var log = await ReadLogAsync(host, clinicians[2], threadId, run.Token);
            foreach (var device in devices)
            {
                try
                {
                    await device.SyncToAsync(log.Count, run.Token);
                }
                catch (TimeoutException ex)
                {
                    problems.Add(ex.Message);
                }
            }

            problems.AddRange(devices.SelectMany(d => d.Problems));
            problems.AddRange(ChatChecker.Check(log, devices.ToDictionary(d => d.Name, d => d.Copy()), ledger.Tried, ledger.Replies));

            // Unread counts: every device shows part of the thread (a report behind another device's
            // changes nothing), then every device of every clinician must show that clinician's truth.
            foreach (var device in devices)
            {
                if (random.NextInt64(0, log.Count + 1) is var shown and > 0)
                {
                    await device.ReportReadAsync(shown, run.Token);
                }
            }

            var views = await Task.WhenAll(devices.Select(async d => (d.Name, d.UserId,
                View: await d.SettleUnreadAsync(ChatChecker.UnreadTruth(log, ledger.Reads, d.UserId).Unread, TimeSpan.FromSeconds(30), run.Token))));
            problems.AddRange(ChatChecker.CheckUnread(log, ledger.Reads, views.ToDictionary(v => v.Name, v => (v.UserId, v.View))));
            output?.WriteLine("unread: " + string.Join(", ", views.Select(v => $"{v.Name} {v.View.Unread} (truth {ChatChecker.UnreadTruth(log, ledger.Reads, v.UserId).Unread})")));

            // Receipts: the thread's table shows each member read exactly as far as they did.
            var truth = clinicians.ToDictionary(c => c, c => ChatChecker.UnreadTruth(log, ledger.Reads, c).ReadCursor);
            var receipts = await ReceiptsAsync(host, clinicians[0], threadId, truth, run.Token);
            problems.AddRange(ChatChecker.CheckReceipts(truth, receipts));
            output?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{ledger.Tried.Count} messages tried, {ledger.Acknowledged} acknowledged, {log.Count} in the log, {ledger.Replies.Count} replies in {clock.Elapsed.TotalSeconds:0.0} s"));
            output?.WriteLine("faults and events: " + string.Join(", ", ledger.Faults.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key} {f.Value}")));
        }
        finally
        {
            foreach (var device in devices)
            {
                await device.DisposeAsync();
            }
        }

        Assert.True(problems.Count == 0, $"seed {seed}: {problems.Count} problem(s):{Environment.NewLine}{string.Join(Environment.NewLine, problems.Take(40))}");

        // The run did inject what it claims: a check that never met a fault would prove nothing.
        Assert.Equal(2, ledger.FaultCount("host killed and restarted"));
        Assert.NotEmpty(ledger.Reads);
        foreach (var fault in new[] { "disconnect", "reply lost after the write", "send cut off in flight", "away", "resend", "resend from another device of the sender", "resend over HTTP", "messages caught up" })
        {
            Assert.True(ledger.FaultCount(fault) > 0, $"seed {seed}: the run never had '{fault}'");
        }
    }

    /// <summary>Every message of the thread, from seq 0, as a member reads it over HTTP (small pages, so paging is used).</summary>
    private static async Task<List<LoggedMessage>> ReadLogAsync(ChatHost host, string userId, string threadId, CancellationToken ct)
    {
        using var http = await host.Web.ClientForAsync(userId, ct);
        var log = new List<LoggedMessage>();
        for (var (since, epoch, more) = (0L, 0L, true); more;)
        {
            var page = await http.GetFromJsonAsync<JsonElement>(string.Create(CultureInfo.InvariantCulture, $"api/threads/{threadId}?since={since}&epoch={epoch}&limit=50"), ct);
            Assert.False(page.GetProperty("reset").GetBoolean(), $"reading from #{since}: {page}");
            log.AddRange(page.GetProperty("changes").EnumerateArray().Select(c => LoggedMessage.Parse(c.GetProperty("message"))));
            (since, epoch, more) = (page.GetProperty("seq").GetInt64(), page.GetProperty("epoch").GetInt64(), page.GetProperty("more").GetBoolean());
        }

        return log;
    }

    /// <summary>
    /// The thread's receipts (<c>GET /api/threads/{threadId}/receipts</c>) once every member's read cursor
    /// is <paramref name="expected"/>, or as they stand after 30 s: userId → (delivered, read).
    /// </summary>
    private static async Task<Dictionary<string, (long Delivered, long Read)>> ReceiptsAsync(ChatHost host, string userId, string threadId,
        IReadOnlyDictionary<string, long> expected, CancellationToken ct)
    {
        using var http = await host.Web.ClientForAsync(userId, ct);
        var until = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var reply = await http.GetFromJsonAsync<JsonElement>($"api/threads/{threadId}/receipts", ct);
            var cursors = reply.GetProperty("snapshot").GetProperty("cursors").EnumerateArray()
                .ToDictionary(c => c.GetProperty("userId").GetString()!, c => (c.GetProperty("delivered").GetInt64(), c.GetProperty("read").GetInt64()));
            if (expected.All(e => cursors.GetValueOrDefault(e.Key).Item2 == e.Value) || DateTime.UtcNow > until)
            {
                return cursors;
            }

            await Task.Delay(50, ct);
        }
    }

    /// <summary>Waits for a condition the clients make true (a count of acknowledgements), failing with the run's limit.</summary>
    private static async Task WaitAsync(Func<bool> condition, CancellationToken ct, string what)
    {
        while (!condition())
        {
            if (ct.IsCancellationRequested)
            {
                throw new TimeoutException($"The run ended before {what}.");
            }

            await Task.Delay(25, CancellationToken.None);
        }
    }
}
