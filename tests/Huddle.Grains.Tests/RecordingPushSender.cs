using System.Collections.Concurrent;
using Huddle.Contracts.Push;
using Huddle.Grains.Push;

namespace Huddle.Grains.Tests;

/// <summary>A push service for grain tests: records every try, and answers as told per endpoint (else delivered).</summary>
public sealed class RecordingPushSender : IPushSender
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<PushSendOutcome>> _answers = new(StringComparer.Ordinal);

    /// <summary>Every try, in order: the device's endpoint, the notice, and what was answered.</summary>
    public ConcurrentQueue<(string Endpoint, PushNotice Notice, PushSendOutcome Outcome)> Tries { get; } = new();

    /// <summary>The next tries at <paramref name="endpoint"/> are answered <paramref name="outcomes"/>, in order.</summary>
    public void Answer(string endpoint, params PushSendOutcome[] outcomes) => _answers[endpoint] = new(outcomes);

    public int Delivered(string endpoint, string noticeId) =>
        Tries.Count(t => t.Endpoint == endpoint && t.Notice.NoticeId == noticeId && t.Outcome == PushSendOutcome.Delivered);

    public int DeliveredTo(string endpoint) => Tries.Count(t => t.Endpoint == endpoint && t.Outcome == PushSendOutcome.Delivered);

    public Task<PushSendResult> SendAsync(PushDevice device, PushNotice notice, TimeSpan timeToLive, VapidKeys keys, CancellationToken cancellationToken)
    {
        var outcome = _answers.TryGetValue(device.Endpoint, out var queue) && queue.TryDequeue(out var next) ? next : PushSendOutcome.Delivered;
        Tries.Enqueue((device.Endpoint, notice, outcome));
        return Task.FromResult(new PushSendResult(outcome, outcome switch
        {
            PushSendOutcome.Delivered => 201,
            PushSendOutcome.Gone => 410,
            PushSendOutcome.Rejected => 400,
            _ => 503,
        }));
    }
}
