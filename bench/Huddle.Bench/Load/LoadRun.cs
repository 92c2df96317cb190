using System.Diagnostics;
using Huddle.Bench.Targets;
using Microsoft.AspNetCore.SignalR.Client;

namespace Huddle.Bench.Load;

/// <summary>What one load scenario asks for: the layout, a total update rate, warm-up and measured time.</summary>
internal sealed record LoadProfile(LoadLayout Layout, double UpdatesPerSecond, TimeSpan Warmup, TimeSpan Duration);

/// <summary>The figures of one run of one target.</summary>
internal sealed record LoadRunResult(
    string Target,
    int Round,
    string LoadavgBefore,
    int Subscribers,
    double ConnectSeconds,
    long BytesPerConnection,
    long HeapBytesPerConnection,
    ConnectionMemory Memory,
    LatencySummary Delivery,
    LatencySummary Fanout,
    LatencySummary SendLag,
    double DeliveriesPerSecond,
    long ExpectedDeliveries,
    long ReceivedDeliveries,
    int IncompleteFanouts,
    long PublishErrors,
    double ServerCpuPercent,
    double ServerCpuMsPer1k,
    long ServerRssBytes,
    double ClientCpuPercent,
    LatencySummary? StorageWrite,
    RuntimePauses ServerPauses)
{
    /// <summary>Raw histograms, merged across rounds by the scenario.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public DeliveryBook Book { get; init; } = null!;
}

/// <summary>
/// Server memory with no subscriber connected (drivers only) and with all of them connected and
/// subscribed, each the median of several samples; per connection = (connected − idle) / N.
/// </summary>
internal sealed record ConnectionMemory(MemorySamples Idle, MemorySamples Connected, int Connections)
{
    public long HeapBytesPerConnection => PerConnection(Idle.HeapBytes, Connected.HeapBytes);

    public long RssBytesPerConnection => PerConnection(Idle.RssBytes, Connected.RssBytes);

    private long PerConnection(Spread idle, Spread connected) => (long)Math.Round((connected.Median - idle.Median) / Connections);
}

/// <summary>
/// One run against one target: sample server memory, connect N subscribers (one HubConnection
/// each), sample it again, drive updates on a fixed schedule, wait (bounded) for every delivery,
/// disconnect.
/// </summary>
internal static class LoadRun
{
    private const int ConnectParallelism = 32;
    private const int MemorySamples = 3;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(1.5);
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(10);
    private static int _nextTag = Environment.ProcessId % 5000;

    public static async Task<LoadRunResult> RunAsync(ILoadTarget target, LoadProfile profile, int round, CancellationToken ct)
    {
        var layout = profile.Layout;
        var loadBefore = Machine.LoadAverage();
        await target.PrepareAsync(layout, ct);

        var drivers = new HubConnection[layout.Groups];
        var subscribers = new HubConnection[layout.Subscribers];
        using var stopKeepAlive = new CancellationTokenSource();
        var keepAlive = Task.CompletedTask;
        RuntimePauseWatch? pauseWatch = null;
        try
        {
            for (var g = 0; g < layout.Groups; g++)
            {
                drivers[g] = target.Driver(layout, g);
            }

            await ForAllAsync(layout.Groups, g => drivers[g].StartAsync(ct), ct);

            // The schedule is fixed before anyone connects; the handler is shared by all subscribers.
            var tag = Interlocked.Increment(ref _nextTag) % 10_000;
            var warmupUpdates = (int)Math.Round(profile.UpdatesPerSecond * profile.Warmup.TotalSeconds);
            var measuredUpdates = Math.Max(1, (int)Math.Round(profile.UpdatesPerSecond * profile.Duration.TotalSeconds));
            DeliveryBook? book = null;
            Action<string?> onMarker = marker => book?.OnMarker(marker);

            await Task.Delay(Settle, ct);
            var idle = await target.Server.SampleMemoryAsync(MemorySamples, ct);
            var connectStart = Stopwatch.GetTimestamp();
            await ForAllAsync(layout.Subscribers, i =>
            {
                var (group, member) = (i / layout.PerGroup, i % layout.PerGroup);
                var connection = target.Subscriber(layout, group, member);
                target.Listen(connection, onMarker);
                subscribers[i] = connection;
                return StartAndSubscribeAsync(connection, target, layout, group, member, ct);
            }, ct);
            var connectSeconds = Stopwatch.GetElapsedTime(connectStart).TotalSeconds;
            if (target.KeepAliveEvery is { } every)
            {
                keepAlive = KeepAliveAsync(target, subscribers, every, stopKeepAlive.Token);
            }

            await Task.Delay(Settle, ct);
            var memory = new ConnectionMemory(idle, await target.Server.SampleMemoryAsync(MemorySamples, ct), layout.Subscribers);

            await target.TakeStorageWriteTimesAsync(ct);
            var start = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 4;
            book = new DeliveryBook(tag, start, profile.UpdatesPerSecond, warmupUpdates + measuredUpdates, warmupUpdates, layout.PerGroup);
            var measureStart = book.Due(book.MeasureFrom);
            pauseWatch = await RuntimePauseWatch.StartAsync(target.Server.Pid, ct);
            var (publishErrors, cpu0, client0) = await SendAllAsync(book, target, layout, drivers, measureStart, ct);
            var measureEnd = Stopwatch.GetTimestamp();
            var cpu1 = target.Server.CpuSeconds();
            var client1 = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
            var wall = Stopwatch.GetElapsedTime(measureStart, measureEnd).TotalSeconds;

            // Bounded wait for stragglers: a lost delivery must not hang the run.
            var drainUntil = Stopwatch.GetTimestamp() + (long)(DrainLimit.TotalSeconds * Stopwatch.Frequency);
            while (book.Received < book.Expected && Stopwatch.GetTimestamp() < drainUntil)
            {
                await Task.Delay(20, ct);
            }

            // CPU per delivery counts until the last delivery arrived, so the measured updates' own
            // fan-out is in it (as the warm-up's tail is at the start).
            var cpuDrained = target.Server.CpuSeconds();
            var pauses = await pauseWatch.StopAsync(measureStart, Stopwatch.GetTimestamp());
            var fanout = LatencySummary.Of(book.Fanout);
            var (slowestMet, allMet) = book.ShareMeeting(pauses.Windows, (long)(fanout.P99 * 1000));
            pauses = pauses with { SlowestMet = Math.Round(slowestMet, 3), AllMet = Math.Round(allMet, 3) };
            var rss = target.Server.RssBytes();
            // Warm-up writes included: the floor's write time is a property of the storage, not of the load.
            var writes = await target.TakeStorageWriteTimesAsync(ct);
            var receivedWindow = Math.Max(wall, Stopwatch.GetElapsedTime(measureStart, Math.Max(book.LastArrival, measureStart)).TotalSeconds);
            return new LoadRunResult(
                target.Name,
                round,
                loadBefore,
                layout.Subscribers,
                Math.Round(connectSeconds, 2),
                memory.RssBytesPerConnection,
                memory.HeapBytesPerConnection,
                memory,
                LatencySummary.Of(book.Delivery),
                fanout,
                LatencySummary.Of(book.SendLag),
                Math.Round(book.ReceivedMeasured / receivedWindow),
                book.ExpectedMeasured,
                book.ReceivedMeasured,
                book.IncompleteFanouts(book.MeasureFrom),
                publishErrors,
                Math.Round((cpu1 - cpu0) / wall * 100, 1),
                book.ReceivedMeasured > 0 ? Math.Round((cpuDrained - cpu0) * 1_000_000 / book.ReceivedMeasured, 2) : double.NaN,
                rss,
                Math.Round((client1 - client0) / wall * 100, 1),
                writes is null ? null : LatencySummary.OfMilliseconds(writes),
                pauses)
            {
                Book = book,
            };
        }
        finally
        {
            if (pauseWatch is not null)
            {
                await pauseWatch.DisposeAsync();
            }

            await stopKeepAlive.CancelAsync();
            await keepAlive;
            await ForAllAsync(subscribers.Length, i => subscribers[i]?.DisposeAsync().AsTask() ?? Task.CompletedTask, CancellationToken.None);
            await ForAllAsync(drivers.Length, i => drivers[i]?.DisposeAsync().AsTask() ?? Task.CompletedTask, CancellationToken.None);
            // After the figures are taken and everyone is gone: e.g. the open handoffs are cancelled.
            await target.AfterRunAsync(CancellationToken.None);
        }
    }

    /// <summary>
    /// Each subscriber's keep-alive call every <paramref name="every"/>, the calls spread evenly over it
    /// (never a burst of all of them), until <paramref name="stop"/>; calls are not awaited one by one, so
    /// a slow reply delays no other. Failed calls are reported at the end (a subscriber that stops being
    /// present also shows as missing deliveries).
    /// </summary>
    private static async Task KeepAliveAsync(ILoadTarget target, HubConnection[] subscribers, TimeSpan every, CancellationToken stop)
    {
        var calls = new List<Task>();
        var failed = 0;
        using var timer = new PeriodicTimer(every / subscribers.Length);
        try
        {
            for (var i = 0; await timer.WaitForNextTickAsync(stop); i = (i + 1) % subscribers.Length)
            {
                calls.RemoveAll(c => c.IsCompleted);
                calls.Add(CallAsync(subscribers[i]));
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }

        await Task.WhenAll(calls);
        if (failed > 0)
        {
            Console.Error.WriteLine($"  {target.Name}: {failed} keep-alive call(s) failed");
        }

        async Task CallAsync(HubConnection connection)
        {
            try
            {
                await target.KeepAliveAsync(connection, stop);
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                // The run ended during the call: not a failure.
            }
            catch (Exception)
            {
                Interlocked.Increment(ref failed);
            }
        }
    }

    private static async Task StartAndSubscribeAsync(HubConnection connection, ILoadTarget target, LoadLayout layout, int group, int member, CancellationToken ct)
    {
        await connection.StartAsync(ct);
        await target.SubscribeAsync(connection, layout, group, member, ct);
    }

    /// <summary>
    /// Sends every update at its due instant, round-robin over the groups, never waiting for a reply
    /// before the next send (open loop). The schedule runs on a thread of its own: on a saturated
    /// thread pool a timer continuation can run tens of milliseconds late, which would count against
    /// the server. Returns the number of failed publishes and CPU readings taken when the measured
    /// part began.
    /// </summary>
    private static async Task<(long Errors, double ServerCpu, double ClientCpu)> SendAllAsync(
        DeliveryBook book, ILoadTarget target, LoadLayout layout, HubConnection[] drivers, long measureStart, CancellationToken ct)
    {
        var publishes = new Task<bool>?[book.Updates];
        double serverCpu = 0, clientCpu = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sender = new Thread(() =>
        {
            try
            {
                // A hard stop well past the schedule's end, in case the sender cannot keep up at all.
                var hardStop = book.Due(book.Updates - 1) + (30 * Stopwatch.Frequency);
                for (var seq = 0; seq < book.Updates && !ct.IsCancellationRequested; seq++)
                {
                    if (seq == book.MeasureFrom)
                    {
                        WaitUntil(measureStart);
                        serverCpu = target.Server.CpuSeconds();
                        clientCpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
                    }

                    if (Stopwatch.GetTimestamp() > hardStop)
                    {
                        Console.Error.WriteLine($"  {target.Name}: sender gave up {book.Updates - seq} updates behind schedule");
                        break;
                    }

                    WaitUntil(book.Due(seq));
                    var group = seq % layout.Groups;
                    book.RecordSend(seq, Stopwatch.GetTimestamp());
                    publishes[seq] = PublishAsync(target, drivers[group], layout, group, book.Tag, seq, book);
                }

                done.SetResult();
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = "bench sender",
            Priority = ThreadPriority.AboveNormal,
        };
        sender.Start();
        await done.Task;

        long errors = 0;
        foreach (var publish in publishes)
        {
            try
            {
                if (publish is null || !await publish.WaitAsync(TimeSpan.FromSeconds(30), ct))
                {
                    errors++;
                }
            }
            catch (TimeoutException)
            {
                errors++;
            }
        }

        return (errors, serverCpu, clientCpu);
    }

    /// <summary>Sleeps to within about a millisecond of <paramref name="due"/>, then yields until it.</summary>
    private static void WaitUntil(long due)
    {
        var sleepThreshold = Stopwatch.Frequency * 12 / 10_000;
        while (true)
        {
            var left = due - Stopwatch.GetTimestamp();
            if (left <= 0)
            {
                return;
            }

            if (left > sleepThreshold)
            {
                Thread.Sleep(1);
            }
            else
            {
                Thread.Yield();
            }
        }
    }

    private static async Task<bool> PublishAsync(ILoadTarget target, HubConnection driver, LoadLayout layout, int group, int tag, int seq, DeliveryBook book)
    {
        try
        {
            var ok = await target.PublishAsync(driver, layout, group, tag, seq);
            book.RecordReply(seq);
            return ok;
        }
        catch (Exception ex) when (ex is Microsoft.AspNetCore.SignalR.HubException or InvalidOperationException or IOException)
        {
            return false;
        }
    }

    private static Task ForAllAsync(int count, Func<int, Task> action, CancellationToken ct) =>
        Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = ConnectParallelism, CancellationToken = ct },
            async (i, _) => await action(i));
}
