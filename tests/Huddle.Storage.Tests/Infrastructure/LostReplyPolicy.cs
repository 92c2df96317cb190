using Azure.Core;
using Azure.Core.Pipeline;

namespace Huddle.Storage.Tests.Infrastructure;

/// <summary>
/// Simulates a reply lost on the way back: the request reaches storage and commits, then the client
/// sees an I/O error instead of the response, so the SDK's retry policy sends the write again.
/// Sits inside the retry loop (<see cref="HttpPipelinePosition.PerRetry"/>).
/// </summary>
public sealed class LostReplyPolicy : HttpPipelinePolicy
{
    private readonly List<(string Method, int Status)> _seen = [];
    private RequestMethod? _armedFor;

    /// <summary>Every response status the storage sent since the last arming, in order, with the request method.</summary>
    public IReadOnlyList<(string Method, int Status)> Seen
    {
        get
        {
            lock (_seen)
            {
                return [.. _seen];
            }
        }
    }

    /// <summary>The next <paramref name="method"/> request commits but its reply is lost.</summary>
    public void LoseNextReplyTo(RequestMethod method)
    {
        lock (_seen)
        {
            _seen.Clear();
            _armedFor = method;
        }
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        await ProcessNextAsync(message, pipeline);
        AfterResponse(message);
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        ProcessNext(message, pipeline);
        AfterResponse(message);
    }

    private void AfterResponse(HttpMessage message)
    {
        bool lose;
        lock (_seen)
        {
            _seen.Add((message.Request.Method.Method, message.Response.Status));
            lose = _armedFor == message.Request.Method;
            if (lose)
            {
                _armedFor = null;
            }
        }

        if (lose)
        {
            throw new IOException("Simulated lost reply: the write committed but its response never arrived.");
        }
    }
}
