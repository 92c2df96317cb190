using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Huddle.Bench.Load;

namespace Huddle.Bench.Targets;

/// <summary>Readings of a server's memory at one moment: live managed heap and RSS, bytes.</summary>
internal sealed record MemorySamples(Spread HeapBytes, Spread RssBytes);

/// <summary>
/// A server under test, run as a child process on a loopback port. Reads its CPU time and resident
/// memory from /proc, and kills it (by its own id) when disposed.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private static readonly double TicksPerSecond = ClockTicks();
    private static readonly TimeSpan MemorySampleGap = TimeSpan.FromMilliseconds(250);
    private readonly Process _process;
    private readonly Queue<string> _lastLines = new();

    private ServerProcess(Process process, Uri baseAddress, DateTime startedAt)
    {
        _process = process;
        BaseAddress = baseAddress;
        StartedAt = startedAt;
    }

    public Uri BaseAddress { get; }

    /// <summary>When <see cref="Process.Start()"/> was called (UTC, for cold-start timing).</summary>
    public DateTime StartedAt { get; }

    public long StartTimestamp { get; private init; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>
    /// Starts <c>dotnet <paramref name="dll"/></c> with <paramref name="environment"/> on a free loopback
    /// port, on the servers' cores of <paramref name="pinning"/> (taskset execs dotnet, so the process
    /// id is the server's), with the runtime settings every server gets alike (<paramref name="runtime"/>:
    /// the gen-0 budget, <c>--server-env</c>).
    /// </summary>
    public static ServerProcess Start(string dll, IReadOnlyDictionary<string, string> environment, CpuPinning pinning, IReadOnlyDictionary<string, string> runtime)
    {
        var port = FreePort();
        var url = $"http://127.0.0.1:{port}";
        var info = pinning.ServerStartInfo("dotnet", [dll]);
        info.WorkingDirectory = Path.GetDirectoryName(dll)!;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        info.Environment["ASPNETCORE_URLS"] = url;
        info.Environment["Kestrel__Endpoints__Http__Url"] = url;
        info.Environment["DOTNET_NOLOGO"] = "1";
        // Every server alike: the gen-0 budget a deployment is given (docs/operations.md, "Runtime settings"), or
        // the runtime's own. Set here, not inherited, so the bench's own setting never leaks into a server.
        info.Environment.Remove("DOTNET_GCgen0size");
        foreach (var (key, value) in runtime.Concat(environment))
        {
            info.Environment[key] = value;
        }

        var timestamp = Stopwatch.GetTimestamp();
        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {dll}.");
        var server = new ServerProcess(process, new Uri(url + "/"), DateTime.UtcNow) { StartTimestamp = timestamp };
        process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Waits until the server answers any HTTP request (Kestrel starts after Orleans and hosted services).</summary>
    public async Task WaitReadyAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with {_process.ExitCode}:\n{Tail()}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("/", UriKind.Relative), ct);
                return;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(50, ct);
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
            }
        }

        throw new TimeoutException($"The server did not answer within {timeout}:\n{Tail()}");
    }

    /// <summary>CPU seconds (user + system) the process has used so far.</summary>
    public double CpuSeconds()
    {
        var stat = File.ReadAllText($"/proc/{Pid}/stat");
        // Fields after the command name, which is in parentheses and may contain spaces.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after "pid (comm) ".
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return ticks / TicksPerSecond;
    }

    /// <summary>The durable floor's write times (ms) since the last call: <c>POST /floor/write-times</c> on the baseline.</summary>
    public async Task<double[]?> TakeFloorWriteTimesAsync(CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        using var response = await http.PostAsync(new Uri("/floor/write-times", UriKind.Relative), null, ct);
        response.EnsureSuccessStatusCode();
        return await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<double[]>(response.Content, ct);
    }

    /// <summary>Resident set size in bytes (VmRSS).</summary>
    public long RssBytes() => ReadRss(Pid);

    /// <summary>
    /// <paramref name="count"/> readings of the live managed heap (after a forced full GC, see
    /// <see cref="GcHeapProbe"/>) and of RSS right after that GC, a moment apart.
    /// </summary>
    public async Task<MemorySamples> SampleMemoryAsync(int count, CancellationToken ct)
    {
        var heap = new double[count];
        var rss = new double[count];
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                await Task.Delay(MemorySampleGap, ct);
            }

            heap[i] = await GcHeapProbe.LiveBytesAfterFullGcAsync(Pid, TimeSpan.FromSeconds(20), ct);
            rss[i] = RssBytes();
        }

        return new MemorySamples(Spread.Of(heap), Spread.Of(rss));
    }

    public static long ReadRss(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kb = line["VmRSS:".Length..].Trim().Split(' ')[0];
                return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    public string Tail()
    {
        lock (_lastLines)
        {
            return string.Join('\n', _lastLines);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(cts.Token);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine($"warning: server {Pid} did not exit within 10 s of being killed");
        }

        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lastLines)
        {
            _lastLines.Enqueue(line);
            while (_lastLines.Count > 40)
            {
                _lastLines.Dequeue();
            }
        }
    }

    /// <summary>A free loopback port (bound and released; the child binds it a moment later).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static double ClockTicks()
    {
        // USER_HZ is 100 on every mainstream Linux build; getconf would need a process of its own.
        return 100.0;
    }
}
