using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Huddle.Testing;

/// <summary>
/// Azurite's table service (and, when asked, its blob service), started from tools/azurite (npm ci first if its node_modules is
/// missing) on a free loopback port with its own data folder. Throws when it cannot start: storage
/// tests never skip for want of an emulator.
/// </summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    // Azurite's well-known development account (public, documented; not a secret).
    private const string AccountName = "devstoreaccount1";
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    private readonly StringBuilder _output = new();
    private Process? _process;
    private Process? _blobProcess;

    private AzuriteServer(int port, string location, int? blobPort = null, bool inMemory = false)
    {
        Port = port;
        Location = location;
        BlobPort = blobPort;
        InMemory = inMemory;
    }

    /// <summary>
    /// True when the tables live in the emulator's memory only (<see cref="StartInMemoryAsync"/>): nothing is
    /// saved, so a restart starts empty.
    /// </summary>
    public bool InMemory { get; }

    /// <summary>The loopback port of the blob service, when it was asked for (<see cref="StartAsync(bool, CancellationToken)"/>).</summary>
    public int? BlobPort { get; }

    /// <summary>The loopback port the table service listens on (kept across restarts).</summary>
    public int Port { get; }

    /// <summary>Azurite's data folder (kept across restarts, deleted on dispose).</summary>
    public string Location { get; }

    /// <summary>The emulator's process id while it runs (the bench pins it to the servers' cores).</summary>
    public int? ProcessId => _process?.Id;

    /// <summary>True between a start and a stop.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>A connection string for this emulator.</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};TableEndpoint=http://127.0.0.1:{Port}/{AccountName};"
        + (BlobPort is { } blob ? $"BlobEndpoint=http://127.0.0.1:{blob}/{AccountName};" : "");

    /// <summary>Starts a new emulator (its table service) on a free port.</summary>
    public static Task<AzuriteServer> StartAsync(CancellationToken cancellationToken = default) => StartAsync(blobs: false, cancellationToken);

    /// <summary>Starts a new emulator on free ports: the table service, and the blob service too when <paramref name="blobs"/>.</summary>
    public static Task<AzuriteServer> StartAsync(bool blobs, CancellationToken cancellationToken = default) =>
        StartNewAsync(blobs, inMemory: false, cancellationToken);

    /// <summary>
    /// Starts a new emulator (its table service) on a free port that keeps its tables in memory and never
    /// writes them to disk. For the benchmark: with a data folder, Azurite's table store (LokiJS) saves the
    /// whole database to disk every 5 seconds on its one event loop, a pause that grows with the rows written
    /// and that Azure Table storage does not have. Storage tests that restart the emulator need the folder.
    /// </summary>
    public static Task<AzuriteServer> StartInMemoryAsync(CancellationToken cancellationToken = default) =>
        StartNewAsync(blobs: false, inMemory: true, cancellationToken);

    private static async Task<AzuriteServer> StartNewAsync(bool blobs, bool inMemory, CancellationToken cancellationToken)
    {
        var location = Directory.CreateTempSubdirectory("huddle-azurite-").FullName;
        var server = new AzuriteServer(FreePort.Next(), location, blobs ? FreePort.Next() : null, inMemory);
        try
        {
            await server.StartProcessAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the emulator as an outage would, leaving its port and data folder for a restart.</summary>
    public async Task StopAsync()
    {
        if (_blobProcess is { } blobs)
        {
            _blobProcess = null;
            blobs.Kill(entireProcessTree: true);
            await blobs.WaitForExitAsync();
            blobs.Dispose();
        }

        if (_process is not { } process)
        {
            return;
        }

        _process = null;
        if (!process.HasExited)
        {
            // SIGINT is the signal Azurite's table service handles by saving its database and closing;
            // kill only if it does not go.
            using var grace = new CancellationTokenSource(SendSigint(process.Id) ? TimeSpan.FromSeconds(10) : TimeSpan.Zero);
            try
            {
                await process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        process.Dispose();
    }

    /// <summary>Starts the emulator again on the same port with the same data.</summary>
    public Task RestartAsync(CancellationToken cancellationToken = default) =>
        InMemory ? throw new InvalidOperationException("An in-memory Azurite keeps nothing to restart with.")
        : _process is null ? StartProcessAsync(cancellationToken) : throw new InvalidOperationException("Azurite is running.");

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(Location, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    private async Task StartProcessAsync(CancellationToken cancellationToken)
    {
        await StartTablesAsync(cancellationToken);
        if (BlobPort is { } blobPort)
        {
            var main = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(await EnsureInstalledAsync(cancellationToken))!)!, "blob", "main.js");
            var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Location };
            foreach (var arg in new[] { main, "--blobHost", "127.0.0.1", "--blobPort", blobPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--location", Location, "--skipApiVersionCheck", "--loose" })
            {
                start.ArgumentList.Add(arg);
            }

            var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start node for Azurite's blob service.");
            process.OutputDataReceived += (_, e) => Append(e.Data);
            process.ErrorDataReceived += (_, e) => Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            _blobProcess = process;
            var deadline = Stopwatch.StartNew();
            while (!await AnswersAsync(blobPort, cancellationToken))
            {
                if (process.HasExited || deadline.Elapsed > StartTimeout)
                {
                    await StopAsync();
                    throw new InvalidOperationException($"Azurite's blob service did not listen on port {blobPort}:\n{Output()}");
                }

                await Task.Delay(50, cancellationToken);
            }
        }
    }

    private async Task StartTablesAsync(CancellationToken cancellationToken)
    {
        var main = await EnsureInstalledAsync(cancellationToken);
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Location,
        };
        foreach (var arg in new[]
        {
            main, "--tableHost", "127.0.0.1", "--tablePort", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--skipApiVersionCheck", "--loose", "--disableTelemetry",
        }.Concat(InMemory ? ["--inMemoryPersistence"] : new[] { "--location", Location }))
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start node for Azurite.");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var deadline = Stopwatch.StartNew();
        while (!await AnswersAsync(Port, cancellationToken))
        {
            if (process.HasExited)
            {
                _process = null;
                throw new InvalidOperationException($"Azurite exited with code {process.ExitCode} before listening on port {Port}:\n{Output()}");
            }

            if (deadline.Elapsed > StartTimeout)
            {
                await StopAsync();
                throw new TimeoutException($"Azurite did not listen on port {Port} within {StartTimeout.TotalSeconds} s:\n{Output()}");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>The path of Azurite's table service, running npm ci in tools/azurite when it is missing.</summary>
    private static async Task<string> EnsureInstalledAsync(CancellationToken cancellationToken)
    {
        var tools = Path.Combine(RepositoryRoot(), "tools", "azurite");
        var main = Path.Combine(tools, "node_modules", "azurite", "dist", "src", "table", "main.js");
        await InstallLock.WaitAsync(cancellationToken);
        try
        {
            if (File.Exists(main))
            {
                return main;
            }

            var npm = new ProcessStartInfo("npm")
            {
                WorkingDirectory = tools,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[] { "ci", "--no-audit", "--no-fund", "--loglevel=error" })
            {
                npm.ArgumentList.Add(arg);
            }

            using var process = Process.Start(npm) ?? throw new InvalidOperationException("Could not start npm to install Azurite.");
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromMinutes(5));
            await process.WaitForExitAsync(timeout.Token);
            if (process.ExitCode != 0 || !File.Exists(main))
            {
                throw new InvalidOperationException($"npm ci in {tools} failed (exit {process.ExitCode}); Azurite is needed by the storage tests:\n{await stdout}\n{await stderr}");
            }

            return main;
        }
        finally
        {
            InstallLock.Release();
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Huddle.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Huddle.sln not found above {AppContext.BaseDirectory}.");
    }

    private static async Task<bool> AnswersAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }


    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }

    private static bool SendSigint(int pid) => !OperatingSystem.IsWindows() && Kill(pid, 2) == 0;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
