using Microsoft.AspNetCore.SignalR.Client;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace Huddle.Testing;

/// <summary>
/// The real Huddle web host (co-hosted silo) as a child process with Azure Table storage, so a
/// test can kill it hard (SIGKILL) and start it again on the same storage.
/// </summary>
public sealed class HuddleWebProcess : IAsyncDisposable
{
    /// <summary>
    /// How long a start may take to answer: a process start, a silo joining a cluster whose other member
    /// was just killed, and the first requests' JIT. Seen over 60 s once with the machine at load 19
    /// (.ci/run beside a CPU hog and a build); what is tested is that the host comes back, not how fast.
    /// </summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(150);

    private readonly Dictionary<string, string> _environment;
    private Process? _process;

    /// <summary>The current run's output, for the failure message of a host that exits under a test.</summary>
    private System.Collections.Concurrent.ConcurrentQueue<string> _output = new();

    /// <summary>Set while the test kills this run (and until the next start): its exit is no finding.</summary>
    private volatile bool _killed;

    /// <summary>A host on <paramref name="storageConnectionString"/>, its tables named from <paramref name="tableName"/>; <paramref name="settings"/> adds or overrides environment settings.</summary>
    public HuddleWebProcess(string storageConnectionString, string tableName, IReadOnlyDictionary<string, string>? settings = null)
    {
        Port = FreePort.Next();
        _environment = new()
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Huddle__Storage__Provider"] = "AzureTable",
            ["ConnectionStrings__HuddleStorage"] = storageConnectionString,
            ["Huddle__Storage__AzureTable__TableName"] = tableName,
            ["Huddle__Storage__AzureTable__HistoryTableName"] = tableName + "H",
            ["Huddle__Storage__AzureTable__RemindersTableName"] = tableName + "R",
            ["Huddle__Storage__AzureTable__ClusteringTableName"] = tableName + "M",
            ["Huddle__Orleans__SiloPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Huddle__Orleans__GatewayPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Huddle__Orleans__ClusterId"] = $"crash-{Guid.NewGuid():N}",
            ["Huddle__Demo__Seed"] = "true",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        _environment[Huddle.Web.Auth.DevToken.Key.Replace(":", "__", StringComparison.Ordinal)] = DevToken;
        foreach (var (key, value) in HuddleAppFixture.SuiteRateLimits)
        {
            _environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            _environment[key] = value;
        }

        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}/"), Timeout = TimeSpan.FromSeconds(30) };
        Http.DefaultRequestHeaders.Add(Huddle.Web.Auth.DevToken.Header, DevToken);
    }

    public int Port { get; }

    public HttpClient Http { get; }

    /// <summary>The dev API's token on this host (<see cref="Http"/> sends it).</summary>
    public string DevToken { get; } = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    /// <summary>
    /// Starts the host and waits until it answers; fails with its output if it cannot. A restart keeps
    /// the host's ports, which lie in Linux's ephemeral range: while the host was down another process's
    /// outgoing connection may have been given one of them for a moment (seen under load: "address
    /// already in use" on a restart). That start is tried again, as an operator would, for up to 30 s.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                await StartOnceAsync(cancellationToken);
                return;
            }
            catch (PortTakenException) when (DateTime.UtcNow < deadline)
            {
                _process?.Dispose();
                _process = null;
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
    }

    /// <summary>The host stopped at once because one of its ports was taken.</summary>
    private sealed class PortTakenException(string message) : InvalidOperationException(message);

    private async Task StartOnceAsync(CancellationToken cancellationToken)
    {
        var dll = WebAssemblyPath();
        var info = new ProcessStartInfo("dotnet")
        {
            // As an operator on the README's command line gives the address: `--urls` must win (an endpoint
            // pinned in appsettings.json once overrode it, so the host listened on 5000 and this start failed).
            ArgumentList = { dll, "--urls", $"http://127.0.0.1:{Port}" },
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in _environment)
        {
            info.Environment[key] = value;
        }

        var output = _output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        _killed = false;
        _process = Process.Start(info) ?? throw new InvalidOperationException("The web host did not start.");
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) { output.Enqueue(e.Data); } };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { output.Enqueue(e.Data); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        try
        {
            await Eventually.Until(async () =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (_process.HasExited)
                {
                    // Without a timeout, this also waits for the redirected output to be read to its end.
                    _process.WaitForExit();
                    var message = $"The web host exited with {_process.ExitCode}:{Environment.NewLine}{string.Join(Environment.NewLine, output.TakeLast(40))}";
                    throw output.Any(l => l.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
                        ? new PortTakenException(message)
                        : new InvalidOperationException(message);
                }

                try
                {
                    using var response = await Http.PostAsJsonAsync("api/dev/token", new { userId = "u-chen" }, cancellationToken);
                    return response.IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, StartTimeout, "the web host to answer");
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}{Environment.NewLine}{string.Join(Environment.NewLine, output.TakeLast(40))}", ex);
        }
    }

    /// <summary>The exit code of this run's host if it exited without the test killing it, else null.</summary>
    private int? ExitedOnItsOwn()
    {
        try
        {
            return !_killed && _process is { } process && process.WaitForExit(TimeSpan.FromSeconds(2)) && !_killed ? process.ExitCode : null;
        }
        catch (InvalidOperationException)
        {
            // Killed and disposed by the test meanwhile (KillAsync): not a finding.
            return null;
        }
    }

    /// <summary>SIGKILL: no shutdown, no flush, exactly as a crash or an OOM kill.</summary>
    public async Task KillAsync()
    {
        _killed = true;
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    /// <summary>Creates or replaces a team through the dev API (<c>PUT /api/dev/teams/{teamId}</c>): <paramref name="team"/> is its body (name, members, patients).</summary>
    public async Task PutTeamAsync(string teamId, object team, CancellationToken cancellationToken)
    {
        using var created = await Http.PutAsJsonAsync($"api/dev/teams/{teamId}", team, cancellationToken);
        created.EnsureSuccessStatusCode();
    }

    /// <summary>A bearer token for <paramref name="userId"/> from this run of the host.</summary>
    public async Task<HttpClient> ClientForAsync(string userId, CancellationToken cancellationToken)
    {
        using var response = await Http.PostAsJsonAsync("api/dev/token", new { userId }, cancellationToken);
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("accessToken").GetString();
        var client = new HttpClient(new ExitReporting(this) { InnerHandler = new HttpClientHandler() }) { BaseAddress = Http.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return client;
    }

    /// <summary>
    /// A request refused because the host is gone says so, with the host's last words: a host that
    /// dies under a test (not killed by it) is a finding, and "connection refused" alone hides it.
    /// </summary>
    private sealed class ExitReporting(HuddleWebProcess host) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            try
            {
                return await base.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException ex) when (host.ExitedOnItsOwn() is { } code)
            {
                // Still an HttpRequestException: tests that expect a host to be unreachable catch that type.
                throw new HttpRequestException(
                    $"The web host exited with {code} under the test (not killed by it):{Environment.NewLine}{string.Join(Environment.NewLine, host._output.TakeLast(60))}", ex);
            }
        }
    }

    /// <summary>A started hub connection for <paramref name="userId"/> to this run of the host (it counts as the user being online).</summary>
    public async Task<HubConnection> HubForAsync(string userId, CancellationToken cancellationToken)
    {
        using var client = await ClientForAsync(userId, cancellationToken);
        var token = client.DefaultRequestHeaders.Authorization!.Parameter;
        var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(Http.BaseAddress!, "hubs/huddle"), o =>
            {
                o.AccessTokenProvider = () => Task.FromResult(token);
                o.Transports = Microsoft.AspNetCore.Http.Connections.HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
            })
            .Build();
        await hub.StartAsync(cancellationToken);
        return hub;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        Http.Dispose();
    }

    private static string WebAssemblyPath()
    {
        // tests/<project>/bin/<Configuration>/<tfm>/ → src/Web/bin/<Configuration>/<tfm>/Huddle.Web.dll
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var tfm = here.Name;
        var configuration = here.Parent!.Name;
        var root = here;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Huddle.sln")))
        {
            root = root.Parent;
        }

        var dll = Path.Combine(root?.FullName ?? throw new InvalidOperationException("Huddle.sln not found above the test binaries."),
            "src", "Web", "bin", configuration, tfm, "Huddle.Web.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("Build src/Web first (the test project references it).", dll);
    }

}
