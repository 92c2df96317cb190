using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Huddle.Testing;
using Huddle.Web.Operations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.SignalR.Client;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Huddle.Web.Tests;

/// <summary>What an operator relies on: health endpoints, no client input in logs, telemetry without PHI, the dashboard off by default.</summary>
public sealed class OperationsTests
{
    private const string Canary = "Zelda Quackenbush";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Health_live_and_ready_answer_200_when_the_cluster_is_up()
    {
        await using var app = await RunningApp.StartAsync(new());

        using var http = app.Http();
        using var live = await http.GetAsync(HuddleHealth.LivePath, Ct);
        using var ready = await http.GetAsync(HuddleHealth.ReadyPath, Ct);

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task Ready_fails_while_storage_is_down_and_recovers_without_a_restart_while_live_stays_up()
    {
        await using var azurite = await AzuriteServer.StartAsync(Ct);
        var table = "h" + Guid.NewGuid().ToString("N")[..16];
        await using var app = await RunningApp.StartAsync(new()
        {
            ["Huddle:Storage:Provider"] = "AzureTable",
            ["ConnectionStrings:HuddleStorage"] = azurite.ConnectionString,
            ["Huddle:Storage:AzureTable:TableName"] = table,
            ["Huddle:Storage:AzureTable:HistoryTableName"] = table + "h",
            ["Huddle:Storage:AzureTable:RemindersTableName"] = table + "r",
            ["Huddle:Storage:AzureTable:NetworkTimeout"] = "00:00:01",
            ["Huddle:Storage:AzureTable:MaxRetries"] = "1",
            ["Huddle:Storage:AzureTable:RetryDelay"] = "00:00:00.100",
            ["Huddle:Storage:AzureTable:MaxRetryDelay"] = "00:00:00.200",
        });
        using var http = app.Http();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(HuddleHealth.ReadyPath, Ct)).StatusCode);

        await azurite.StopAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync(HuddleHealth.ReadyPath, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(HuddleHealth.LivePath, Ct)).StatusCode);

        await azurite.RestartAsync(Ct);
        await Eventually.Until(async () => (await http.GetAsync(HuddleHealth.ReadyPath, Ct)).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(30), "ready again after storage came back");
    }

    [Theory]
    [InlineData("Development")]
    [InlineData("Production")]
    public async Task Patient_names_in_malformed_bodies_never_reach_the_log(string environment)
    {
        var log = new CapturingLoggerProvider();
        await using var app = await RunningApp.StartAsync(new(), environment, log);
        using var http = app.Http();
        if (environment == "Development")
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await app.TokenAsync("u-chen"));
        }

        string[] bodies =
        [
            $$"""{"title": {{Canary}}}""",
            $$"""{"title": "{{Canary}}", }""",
            $$"""{"title": "{{Canary}}" "x": 1}""",
            $$"""{"kind": "{{Canary}}", "text": "{{Canary}}"}""",
            $$"""{"userId": {{Canary}}""",
            $$"""["{{Canary}}",]""",
            $$"""{"name": "{{Canary}}", "members": {{Canary}}}""",
            // The JSON parser quotes an unknown property's name in its message: a name put where a
            // field name goes is what reached the log before.
            $$"""{"userId": "u-chen", "{{Canary}}": 1}""",
            $$"""{"name": "x", "members": [], "{{Canary}}": 1}""",
            $$"""{"title": "x", "{{Canary}}": 1}""",
        ];
        foreach (var body in bodies)
        {
            foreach (var (method, path) in new[]
            {
                (HttpMethod.Post, "api/teams/team-maple/board/addLane"),
                (HttpMethod.Post, "api/teams/team-maple/board/addNote"),
                (HttpMethod.Post, "api/dev/token"),
                (HttpMethod.Put, "api/dev/teams/team-canary"),
            })
            {
                using var request = new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                using var response = await http.SendAsync(request, Ct);
                Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound or HttpStatusCode.Unauthorized, $"{method} {path}: {response.StatusCode}");
            }
        }

        Assert.NotEmpty(log.Lines);
        Assert.DoesNotContain(log.Lines, l => l.Contains("Zelda", StringComparison.OrdinalIgnoreCase) || l.Contains("Quackenbush", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Telemetry_is_off_by_default_and_when_on_traces_hub_http_and_grain_calls_with_ids_only()
    {
        await using (var off = await RunningApp.StartAsync(new()))
        {
            Assert.Null(off.App.Services.GetService<TracerProvider>());
        }

        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        await using var app = await RunningApp.StartAsync(new() { ["Huddle:Telemetry:Enabled"] = "true" }, configure: b =>
        {
            b.Services.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(spans));
            b.Services.ConfigureOpenTelemetryMeterProvider(m => m.AddInMemoryExporter(metrics));
        });
        using var http = app.Http();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await app.TokenAsync("u-chen"));
        await using var hub = await app.HubAsAsync("u-chen");
        var relayed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.On<JsonElement>(nameof(Live.IHuddleClient.BoardChanged), _ => relayed.TrySetResult());
        await hub.InvokeAsync<JsonElement>(nameof(Live.HuddleHub.SubscribeBoard), "team-maple", Ct);
        using (var note = await http.PostAsJsonAsync("api/teams/team-maple/board/addNote", new { kind = "lookBack", text = Canary }, Ct))
        {
            note.EnsureSuccessStatusCode();
        }

        await relayed.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        app.App.Services.GetRequiredService<TracerProvider>().ForceFlush();
        app.App.Services.GetRequiredService<MeterProvider>().ForceFlush();

        // The exporters keep adding (presence, renewals run on): look at what was there after the flush.
        var spansSeen = Copy(spans);
        var metricsSeen = Copy(metrics);
        Assert.Contains(spansSeen, s => s.Source.Name == "Microsoft.AspNetCore" && s.DisplayName.Contains("board", StringComparison.Ordinal));
        Assert.Contains(spansSeen, s => s.Source.Name == "Microsoft.AspNetCore.SignalR.Server");
        Assert.Contains(spansSeen, s => s.Source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal));
        Assert.Contains(metricsSeen, m => m.Name == "huddle.board.changes");
        Assert.Contains(metricsSeen, m => m.Name == "huddle.relay.fanout");
        var tagValues = spansSeen.SelectMany(s => s.TagObjects.Select(t => t.Value?.ToString() ?? "").Append(s.DisplayName)).ToList();
        Assert.DoesNotContain(tagValues, v => v.Contains("Zelda", StringComparison.Ordinal));
    }

    private static List<T> Copy<T>(List<T> exported)
    {
        // The in-memory exporters add from their own threads; copying under the list's own lock is not
        // possible, so retry the copy until it was not interrupted by an add.
        while (true)
        {
            try
            {
                return [.. exported];
            }
            catch (InvalidOperationException)
            {
            }
        }
    }

    [Fact]
    public async Task The_dashboard_is_off_by_default_and_when_on_is_for_administrators_only()
    {
        await using (var off = await RunningApp.StartAsync(new()))
        {
            using var http = off.Http();
            using var response = await http.GetAsync(HuddleDashboard.Path, Ct);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        await using var on = await RunningApp.StartAsync(new() { ["Huddle:Dashboard:Enabled"] = "true", ["Huddle:Dashboard:Admins"] = "u-chen" });
        using var anonymous = on.Http();
        using var clinician = on.Http();
        clinician.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await on.TokenAsync("u-okafor"));
        using var admin = on.Http();
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await on.TokenAsync("u-chen"));

        // Anonymous: sent to sign-in, never shown the dashboard.
        using var challenged = await anonymous.GetAsync(HuddleDashboard.Path + "/", Ct);
        Assert.NotEqual(HuddleDashboard.Path + "/", challenged.RequestMessage!.RequestUri!.AbsolutePath);
        using var denied = await clinician.GetAsync(HuddleDashboard.Path + "/", Ct);
        Assert.True(denied.StatusCode == HttpStatusCode.Forbidden || denied.RequestMessage!.RequestUri!.AbsolutePath != HuddleDashboard.Path + "/", $"{denied.StatusCode} {denied.RequestMessage!.RequestUri}");
        using var allowed = await admin.GetAsync(HuddleDashboard.Path + "/", Ct);
        Assert.True(allowed.StatusCode == HttpStatusCode.OK && allowed.RequestMessage!.RequestUri!.AbsolutePath == HuddleDashboard.Path + "/", $"{allowed.StatusCode} {allowed.RequestMessage!.RequestUri}");
    }

    [Fact]
    public async Task A_start_logs_no_false_watchdog_stall_and_no_polly_chatter()
    {
        var log = new CapturingLoggerProvider();
        await using var app = await RunningApp.StartAsync(new(), log: log, appLogLevels: true);
        // The watchdog's component check runs at start (before this listens) and then every 10 s; once
        // it ran again, the platform thread (which reported the false stall on its first check, at
        // start) has checked about ten times.
        var checks = new WatchdogChecks(app.App.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        using (var http = app.Http())
        {
            // Grain calls (placement is what logged the Polly lines): a sign-in and a board read.
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await app.TokenAsync("u-chen"));
            (await http.GetAsync("api/teams/team-maple/board", Ct)).EnsureSuccessStatusCode();
        }

        await Eventually.Until(() => Task.FromResult(checks.Count >= 1), TimeSpan.FromSeconds(60), "the watchdog's component check after start");
        checks.Dispose();

        // The capture sees warnings (the memory storage banner is one) ...
        Assert.Contains(log.Lines, l => l.StartsWith("Warning ", StringComparison.Ordinal) && l.Contains("STATE IS NOT DURABLE", StringComparison.Ordinal));
        // ... and the watchdog's start reported no stall, and Polly's per-attempt lines are filtered.
        Assert.DoesNotContain(log.Lines, l => l.Contains("Orleans.Runtime.Watchdog", StringComparison.Ordinal));
        Assert.DoesNotContain(log.Lines, l => l.Contains(" Polly", StringComparison.Ordinal) && !l.StartsWith("Warning ", StringComparison.Ordinal) && !l.StartsWith("Error ", StringComparison.Ordinal) && !l.StartsWith("Critical ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_start_says_which_storage_is_in_use()
    {
        var memoryLog = new CapturingLoggerProvider();
        await using (await RunningApp.StartAsync(new(), log: memoryLog, appLogLevels: true))
        {
            Assert.Contains(memoryLog.Lines, l => l.StartsWith("Warning ", StringComparison.Ordinal) && l.Contains("STATE IS NOT DURABLE", StringComparison.Ordinal));
            Assert.DoesNotContain(memoryLog.Lines, l => l.Contains("State is durable", StringComparison.Ordinal));
        }

        await using var azurite = await AzuriteServer.StartAsync(Ct);
        var table = "h" + Guid.NewGuid().ToString("N")[..16];
        var durableLog = new CapturingLoggerProvider();
        await using var app = await RunningApp.StartAsync(new()
        {
            ["Huddle:Storage:Provider"] = "AzureTable",
            ["ConnectionStrings:HuddleStorage"] = azurite.ConnectionString,
            ["Huddle:Storage:AzureTable:TableName"] = table,
            ["Huddle:Storage:AzureTable:HistoryTableName"] = table + "h",
            ["Huddle:Storage:AzureTable:RemindersTableName"] = table + "r",
        }, log: durableLog, appLogLevels: true);

        var banner = Assert.Single(durableLog.Lines, l => l.Contains("State is durable", StringComparison.Ordinal));
        Assert.StartsWith("Information ", banner, StringComparison.Ordinal);
        Assert.Contains($"Azure Table storage at http://127.0.0.1:{azurite.Port}/devstoreaccount1, tables {table} (grain state), {table}h (history), {table}r (reminders)", banner, StringComparison.Ordinal);
        Assert.DoesNotContain("AccountKey", banner, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(durableLog.Lines, l => l.Contains("STATE IS NOT DURABLE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_favicon_is_served_and_every_page_links_it()
    {
        await using var app = await RunningApp.StartAsync(new());
        using var http = app.Http();

        // Browsers and bookmarks ask for /favicon.ico whatever the page says.
        using var ico = await http.GetAsync("favicon.ico", Ct);
        Assert.Equal(HttpStatusCode.OK, ico.StatusCode);
        Assert.Equal("image/x-icon", ico.Content.Headers.ContentType?.MediaType);
        Assert.Equal([0, 0, 1, 0], (await ico.Content.ReadAsByteArrayAsync(Ct))[..4]);

        // The pages link the SVG one; the link resolves.
        var page = await http.GetStringAsync("signin", Ct);
        var link = System.Text.RegularExpressions.Regex.Match(page, "<link rel=\"icon\" href=\"([^\"]+\\.svg)\"");
        Assert.True(link.Success, "no <link rel=\"icon\"> in the page's head");
        using var svg = await http.GetAsync(link.Groups[1].Value, Ct);
        Assert.Equal(HttpStatusCode.OK, svg.StatusCode);
        Assert.Equal("image/svg+xml", svg.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public void An_advertised_address_that_is_not_an_ip_address_stops_the_start_with_a_clear_error()
    {
        var error = Assert.Throws<InvalidOperationException>(() => HuddleApp.Build([], b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Huddle:Clustering:Provider"] = "AzureTable",
            ["ConnectionStrings:HuddleStorage"] = "UseDevelopmentStorage=true",
            ["Huddle:Orleans:AdvertisedIP"] = "silo-1.internal",
        })));
        Assert.Contains("Huddle:Orleans:AdvertisedIP 'silo-1.internal' is not an IP address", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_delivery_lead_out_of_range_stops_the_start_naming_the_setting()
    {
        foreach (var lead in new[] { "-00:00:00.005", "00:00:02" })
        {
            var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(async () =>
            {
                await using var app = await RunningApp.StartAsync(new() { ["Huddle:Chat:DeliveryLead"] = lead });
            });
            Assert.Contains("Huddle:Chat:DeliveryLead is between 00:00:00 and 00:00:01", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_outcome_retention_shorter_than_the_metrics_month_stops_the_start_naming_the_setting()
    {
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(async () =>
        {
            await using var app = await RunningApp.StartAsync(new() { ["Huddle:Handoffs:OutcomeRetention"] = "10.00:00:00" });
        });
        Assert.Contains("Huddle:Handoffs:OutcomeRetention is at least 32 days", error.Message, StringComparison.Ordinal);

        await using var kept = await RunningApp.StartAsync(new() { ["Huddle:Handoffs:OutcomeRetention"] = "400.00:00:00" });
    }

    [Fact]
    public void The_pinned_Azurite_installs_on_Debians_Node_20()
    {
        // npm ci prints EBADENGINE when a package's engines field refuses the running Node; Debian
        // ships Node 20, and Azurite 3.36 and later want 21 or 22.
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Huddle.sln")))
        {
            root = Path.GetDirectoryName(root.TrimEnd(Path.DirectorySeparatorChar)) ?? throw new InvalidOperationException("Huddle.sln not found");
        }

        using var lockFile = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "tools", "azurite", "package-lock.json")));
        var packages = lockFile.RootElement.GetProperty("packages");
        var azurite = packages.GetProperty("node_modules/azurite");
        var wants = azurite.GetProperty("engines").GetProperty("node").GetString()!;
        var minimum = System.Text.RegularExpressions.Regex.Match(wants, "^>= ?(\\d+)(\\.\\d+)*$");
        Assert.True(minimum.Success, $"azurite {azurite.GetProperty("version")} wants node {wants}: not a plain minimum this test can read");
        Assert.True(int.Parse(minimum.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) <= 20, $"azurite {azurite.GetProperty("version")} wants node {wants}; Debian ships 20");
    }

    /// <summary>Counts the health checks of one app's silo watchdog (its own meters, not other tests' apps).</summary>
    private sealed class WatchdogChecks : IDisposable
    {
        private readonly System.Diagnostics.Metrics.MeterListener _listener = new();
        private int _count;

        public WatchdogChecks(System.Diagnostics.Metrics.IMeterFactory meters)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == "orleans-watchdog-health-checks" && ReferenceEquals(instrument.Meter.Scope, meters))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<int>((_, value, _, _) => Interlocked.Add(ref _count, value));
            _listener.Start();
        }

        public int Count => Volatile.Read(ref _count);

        public void Dispose() => _listener.Dispose();
    }

    /// <summary>The app with demo data, on a free port, with the settings and logging a test asks for.</summary>
    private sealed class RunningApp : IAsyncDisposable
    {
        private RunningApp(WebApplication app, Uri baseAddress)
        {
            App = app;
            BaseAddress = baseAddress;
        }

        public WebApplication App { get; }

        public Uri BaseAddress { get; }

        /// <summary>
        /// Starts the app. With <paramref name="log"/>, every line at every level reaches it, unless
        /// <paramref name="appLogLevels"/> keeps the app's own levels (appsettings.json) as an operator's console has them.
        /// </summary>
        public static async Task<RunningApp> StartAsync(Dictionary<string, string?> settings, string environment = "Development", ILoggerProvider? log = null, Action<WebApplicationBuilder>? configure = null, bool appLogLevels = false)
        {
            settings["Kestrel:Endpoints:Http:Url"] = "http://127.0.0.1:0";
            settings["Huddle:Orleans:SiloPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);
            settings["Huddle:Orleans:GatewayPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);
            settings["Huddle:Orleans:ClusterId"] = $"ops-{Guid.NewGuid():N}";
            settings["Huddle:Demo:Seed"] = "true";
            settings.TryAdd(Auth.DevToken.Key, DevToken);
            var app = HuddleApp.Build(["--environment", environment], b =>
            {
                b.Configuration.AddInMemoryCollection(settings);
                if (log is not null)
                {
                    b.Logging.ClearProviders().AddProvider(log);
                    if (!appLogLevels)
                    {
                        b.Logging.SetMinimumLevel(LogLevel.Trace).AddFilter((_, _) => true);
                    }
                }

                configure?.Invoke(b);
            });
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new RunningApp(app, new Uri(address.TrimEnd('/') + "/"));
        }

        /// <summary>The dev API's token of these apps (unless a test's settings name another).</summary>
        public const string DevToken = "operations-tests-dev-token";

        /// <summary>A client signed in as nobody, carrying the dev token (which only the dev API reads).</summary>
        public HttpClient Http()
        {
            var http = new HttpClient { BaseAddress = BaseAddress };
            http.DefaultRequestHeaders.Add(Auth.DevToken.Header, DevToken);
            return http;
        }

        public async Task<string> TokenAsync(string userId)
        {
            using var http = Http();
            using var response = await http.PostAsJsonAsync("api/dev/token", new { userId });
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
        }

        public async Task<Microsoft.AspNetCore.SignalR.Client.HubConnection> HubAsAsync(string userId)
        {
            var token = await TokenAsync(userId);
            var connection = new Microsoft.AspNetCore.SignalR.Client.HubConnectionBuilder()
                .WithUrl(new Uri(BaseAddress, Live.HuddleHub.Path.TrimStart('/')), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
                .Build();
            await connection.StartAsync();
            return connection;
        }

        public async ValueTask DisposeAsync()
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }
    }

    /// <summary>Every log line, with its exception, at every level.</summary>
    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, Lines);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
        }
    }
}
