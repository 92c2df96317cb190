using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Huddle.Bench;

/// <summary>
/// Which cores the load generator and the servers run on. Unpinned, the load generator's bursts and
/// the servers' fan-out fight for the same two cores, and whichever the scheduler favours in a run
/// moves every tail: two back-to-back runs of the same build gave fan-out p99 ×1.46 and ×0.92. Pinned,
/// every server (Huddle, the baseline, Azurite) runs on <see cref="ServerCpus"/> and the bench itself
/// on <see cref="ClientCpus"/>, the same for every target.
/// </summary>
internal sealed record CpuPinning(IReadOnlyList<int> ClientCpus, IReadOnlyList<int> ServerCpus)
{
    /// <summary>No pinning: every process may run on every core.</summary>
    public static CpuPinning None { get; } = new([], []);

    public bool Enabled => ClientCpus.Count > 0 && ServerCpus.Count > 0;

    /// <summary>taskset's form of the servers' cores ("1").</summary>
    public string ServerList => List(ServerCpus);

    /// <summary>taskset's form of the load generator's cores ("0").</summary>
    public string ClientList => List(ClientCpus);

    /// <summary>
    /// <c>auto</c>: the lower half of the cores this process may use for the load generator, the
    /// upper half for the servers (on 2 cores: 0 and 1); <c>off</c>; or <c>CLIENT/SERVERS</c> in
    /// taskset's list form, e.g. <c>0/1</c> or <c>0-1/2-3</c>.
    /// </summary>
    public static CpuPinning Parse(string value)
    {
        if (value.Equals("off", StringComparison.OrdinalIgnoreCase))
        {
            return None;
        }

        if (value.Equals("auto", StringComparison.OrdinalIgnoreCase))
        {
            // Pinning needs Linux and taskset (util-linux); elsewhere auto runs unpinned, and the summary says so.
            if (!OperatingSystem.IsLinux() || !TasksetFound())
            {
                return None;
            }

            var allowed = ParseList(AllowedList(Environment.ProcessId));
            if (allowed.Count < 2)
            {
                return None;
            }

            var half = allowed.Count / 2;
            return new CpuPinning([.. allowed.Take(half)], [.. allowed.Skip(half)]);
        }

        var parts = value.Split('/');
        if (parts.Length != 2)
        {
            throw new ArgumentException($"--pin '{value}': use auto, off, or CLIENT/SERVERS cores such as 0/1.");
        }

        var (client, servers) = (ParseList(parts[0]), ParseList(parts[1]));
        if (client.Count == 0 || servers.Count == 0 || client.Intersect(servers).Any())
        {
            throw new ArgumentException($"--pin '{value}': the load generator and the servers need separate, non-empty core lists.");
        }

        return new CpuPinning(client, servers);
    }

    /// <summary>How a server is started: under <c>taskset -c SERVERS</c> when pinned, so the runtime sees only its cores from the first instruction.</summary>
    public ProcessStartInfo ServerStartInfo(string program, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(Enabled ? "taskset" : program);
        if (Enabled)
        {
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add(ServerList);
            info.ArgumentList.Add(program);
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }

    /// <summary>Pins the bench itself (every thread it has; later ones inherit) to the load generator's cores.</summary>
    public void PinSelf()
    {
        if (Enabled)
        {
            PinAllThreads(Environment.ProcessId, ClientList);
        }
    }

    /// <summary>Pins a server that was started without <see cref="ServerStartInfo"/> (Azurite), every thread of it.</summary>
    public void PinServer(int pid)
    {
        if (Enabled)
        {
            PinAllThreads(pid, ServerList);
        }
    }

    /// <summary>
    /// The cores each thread of <paramref name="pid"/> may run on, as the kernel has them: one list
    /// ("1") when all agree, else every distinct list joined with "|". Empty when the process is gone.
    /// </summary>
    public static string Observed(int pid)
    {
        var lists = new SortedSet<string>(StringComparer.Ordinal);
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                try
                {
                    lists.Add(AllowedListOf(Path.Combine(task, "status")));
                }
                catch (IOException)
                {
                    // The thread ended meanwhile.
                }
            }
        }
        catch (IOException)
        {
            return "";
        }

        return string.Join('|', lists);
    }

    /// <summary>What the summary records: the plan and what the kernel says each process got.</summary>
    public JsonObject Describe(IEnumerable<(string Name, int Pid)> servers)
    {
        var processes = new JsonObject { ["load_generator"] = Observed(Environment.ProcessId) };
        foreach (var (name, pid) in servers)
        {
            processes[name] = Observed(pid);
        }

        return new JsonObject
        {
            ["enabled"] = Enabled,
            ["load_generator_cpus"] = Enabled ? ClientList : "all",
            ["server_cpus"] = Enabled ? ServerList : "all",
            ["how"] = Enabled ? "servers started under taskset -c; the bench and Azurite pinned with taskset -a -p (every thread)" : "not pinned",
            ["observed_cpus_allowed"] = processes,
        };
    }

    private static void PinAllThreads(int pid, string cpus)
    {
        var info = new ProcessStartInfo("taskset")
        {
            ArgumentList = { "-a", "-p", "-c", cpus, pid.ToString(CultureInfo.InvariantCulture) },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start taskset.");
        var errors = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"taskset -a -p -c {cpus} {pid} failed ({process.ExitCode}): {errors.Trim()}. Pass --pin off to run unpinned.");
        }

        // A thread started while taskset walked the list may have kept the old mask: pin again until all agree.
        for (var attempt = 0; attempt < 3 && Observed(pid) != cpus && Observed(pid).Length > 0; attempt++)
        {
            using var again = Process.Start(info)!;
            again.StandardError.ReadToEnd();
            again.StandardOutput.ReadToEnd();
            again.WaitForExit();
        }
    }

    private static bool TasksetFound() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, "taskset")));

    private static string AllowedList(int pid) => AllowedListOf($"/proc/{pid}/status");

    private static string AllowedListOf(string statusPath)
    {
        foreach (var line in File.ReadLines(statusPath))
        {
            if (line.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal))
            {
                return Canonical(line["Cpus_allowed_list:".Length..].Trim());
            }
        }

        return "";
    }

    /// <summary>The kernel writes "0-1", taskset takes "0,1" too: compare in one form.</summary>
    private static string Canonical(string list) => List(ParseList(list));

    private static List<int> ParseList(string list)
    {
        var cpus = new SortedSet<int>();
        foreach (var part in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var range = part.Split('-');
            if (!int.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out var from)
                || !int.TryParse(range[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var to)
                || range.Length > 2 || to < from || to > 1023)
            {
                throw new ArgumentException($"'{list}' is not a core list such as 0, 1 or 0-3.");
            }

            for (var cpu = from; cpu <= to; cpu++)
            {
                cpus.Add(cpu);
            }
        }

        return [.. cpus];
    }

    private static string List(IEnumerable<int> cpus) => string.Join(',', cpus);
}
