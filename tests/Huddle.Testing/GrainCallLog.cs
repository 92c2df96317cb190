using System.Collections.Concurrent;

namespace Huddle.Testing;

/// <summary>
/// Every grain call the app's co-hosted silo receives for the keys a test watches (an incoming grain
/// call filter): which grain type, which method, which key, and the first argument when it is a string (a feed
/// call's kind). Tests count them, e.g. what opening a page costs.
/// </summary>
public sealed class GrainCallLog : IIncomingGrainCallFilter
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<GrainCall>> _byKey = new(StringComparer.Ordinal);

    /// <summary>Starts recording the calls to grains keyed <paramref name="keys"/>; returns what is recorded.</summary>
    public ConcurrentQueue<GrainCall> Watch(params string[] keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var calls = new ConcurrentQueue<GrainCall>();
        foreach (var key in keys)
        {
            _byKey[key] = calls;
        }

        return calls;
    }

    public Task Invoke(IIncomingGrainCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.TargetId.Key.ToString() is { } key && _byKey.TryGetValue(key, out var calls))
        {
            var first = context.Request.GetArgumentCount() > 0 ? context.Request.GetArgument(0) as string : null;
            calls.Enqueue(new GrainCall(context.TargetId.Type.ToString()!, context.MethodName, key, first));
        }

        return context.Invoke();
    }
}

/// <summary>One call a grain received: the grain's type (e.g. <c>careteam</c>), the method, the grain's key, its first string argument.</summary>
public sealed record GrainCall(string GrainType, string Method, string Key, string? FirstArgument = null);
