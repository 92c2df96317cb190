using System.Collections.Immutable;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Huddle.Contracts.Common;
using Huddle.Contracts.Push;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Huddle.Grains.Push;

/// <summary>One device's outcome of a notice, reported back to the clinician's devices grain.</summary>
[GenerateSerializer, Immutable, Alias("huddle.push-attempt")]
public sealed record PushAttempt(
    [property: Id(0)] string DeviceId,
    [property: Id(1)] PushSendOutcome Outcome,
    [property: Id(2)] string? Error,
    [property: Id(3)] DateTimeOffset At);

/// <summary>The devices grain's side the dispatcher reports to (not part of the public contract).</summary>
public interface IPushDeliveries : IGrainWithStringKey
{
    /// <summary>What each device made of <paramref name="noticeId"/>: taken, gone, or still to try.</summary>
    Task ReportAsync(string noticeId, ImmutableArray<PushAttempt> attempts);
}

/// <summary>
/// Sends notices to push services off every grain's turn (one per silo): a devices grain hands a
/// stored notice over and returns, so neither a handoff nor the grain waits for a push service. Each
/// device is tried <see cref="PushOptions.Attempts"/> times with a doubling wait; the outcome goes back
/// to the devices grain, which keeps what failed for its reminder. Hand-written rather than a queue
/// library: the queue that must survive a crash is the grain's state; this is only the sending.
/// </summary>
public sealed partial class PushDispatcher(IPushSender sender, IGrainFactory grains, PushHealth health, HuddleClock clock, IOptions<PushOptions> options, ILogger<PushDispatcher> logger)
{
    private static readonly Counter<long> Sends = HuddleTelemetry.Meter.CreateCounter<long>("huddle.push.sends", "{send}", "Tries to hand a notice to a push service, by outcome.");
    private static readonly Histogram<double> SendDuration = HuddleTelemetry.Meter.CreateHistogram<double>("huddle.push.duration", "s", "Duration of one try to hand a notice to a push service.");

    private readonly SemaphoreSlim _slots = new(Math.Max(1, options.Value.Concurrency));

    /// <summary>Starts sending <paramref name="notice"/> to <paramref name="devices"/> and returns at once.</summary>
    public void Dispatch(string userId, PushNotice notice, ImmutableArray<PushDevice> devices, VapidKeys keys)
    {
        ArgumentNullException.ThrowIfNull(notice);
        // Off the grain's scheduler on purpose: the sends must not hold the grain's turn.
        _ = Task.Run(() => DeliverAsync(userId, notice, devices, keys));
    }

    private async Task DeliverAsync(string userId, PushNotice notice, ImmutableArray<PushDevice> devices, VapidKeys keys)
    {
        try
        {
            var attempts = await Task.WhenAll(devices.Select(d => TryDeviceAsync(d, notice, keys)));
            await grains.Grain<IPushDeliveries>(userId).ReportAsync(notice.NoticeId, [.. attempts]);
        }
        catch (Exception ex)
        {
            // The notice stays pending in the grain's state: its reminder sends it again.
            LogReportFailed(ex, userId, notice.NoticeId);
        }
    }

    private async Task<PushAttempt> TryDeviceAsync(PushDevice device, PushNotice notice, VapidKeys keys)
    {
        var o = options.Value;
        var wait = o.RetryFirst;
        PushSendResult result = new(PushSendOutcome.Failed, Error: "not tried");
        for (var attempt = 1; attempt <= Math.Max(1, o.Attempts); attempt++)
        {
            // The domain clock, as the notice's life was reckoned on it.
            var life = notice.Until - clock.UtcNow;
            if (life <= TimeSpan.Zero)
            {
                result = new PushSendResult(PushSendOutcome.Rejected, Error: "expired");
                break;
            }

            await _slots.WaitAsync();
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var timeout = new CancellationTokenSource(o.Timeout);
                result = await sender.SendAsync(device, notice, life, keys, timeout.Token);
            }
            catch (Exception ex)
            {
                result = new PushSendResult(PushSendOutcome.Failed, Error: ex is OperationCanceledException ? "timed out" : ex.GetType().Name);
            }
            finally
            {
                _slots.Release();
            }

            var outcome = result.Outcome.ToString().ToLowerInvariant();
            Sends.Add(1, new KeyValuePair<string, object?>("huddle.push.outcome", outcome));
            SendDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("huddle.push.outcome", outcome));
            health.Record(result.Outcome);
            if (result.Outcome is not PushSendOutcome.Failed)
            {
                break;
            }

            LogTryFailed(device.DeviceId, notice.NoticeId, attempt, result.StatusCode, result.Error);
            if (attempt < o.Attempts)
            {
                await Task.Delay(wait);
                wait *= 2;
            }
        }

        return new PushAttempt(device.DeviceId, result.Outcome, result.Outcome is PushSendOutcome.Delivered ? null : result.Error ?? $"HTTP {result.StatusCode}", DateTimeOffset.UtcNow);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Push of {NoticeId} to a device of {UserId} was sent but could not be reported; its reminder sends it again")]
    private partial void LogReportFailed(Exception ex, string userId, string noticeId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Push of {NoticeId} to device {DeviceId} failed (try {Attempt}): {StatusCode} {Error}")]
    private partial void LogTryFailed(string deviceId, string noticeId, int attempt, int? statusCode, string? error);
}

/// <summary>
/// How the push services have answered lately, for the health endpoint (<c>/health/push</c>): a run of
/// failures with no success since is "degraded" — pings still reach open pages, not locked phones.
/// </summary>
public sealed class PushHealth
{
    private readonly Lock _gate = new();
    private int _failuresInARow;
    private DateTimeOffset? _lastSuccess;
    private DateTimeOffset? _lastFailure;

    /// <summary>Failures in a row at which push counts as degraded.</summary>
    public const int DegradedAfter = 5;

    public void Record(PushSendOutcome outcome)
    {
        lock (_gate)
        {
            if (outcome is PushSendOutcome.Failed)
            {
                _failuresInARow++;
                _lastFailure = DateTimeOffset.UtcNow;
            }
            else
            {
                _failuresInARow = 0;
                _lastSuccess = DateTimeOffset.UtcNow;
            }
        }
    }

    /// <summary>Failures in a row, and when the last success and failure were.</summary>
    public (int FailuresInARow, DateTimeOffset? LastSuccess, DateTimeOffset? LastFailure) Now()
    {
        lock (_gate)
        {
            return (_failuresInARow, _lastSuccess, _lastFailure);
        }
    }
}
