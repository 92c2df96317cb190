using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;

namespace Huddle.Grains.Tests;

/// <summary>
/// Failures the tests inject on purpose, by grain key, so tests running side by side never trip each
/// other: the next N calls of a grain method (as a lost message or a failed receiver would), the next
/// N reminder registrations of one grain (as a reminder table that is down would), and one call held until
/// the test lets it go (a receiver slow to answer), or its reply held at the caller (an answer slow to come back).
/// </summary>
public static class Faults
{
    private static readonly ConcurrentDictionary<(string Method, string Key), int> Calls = new();
    private static readonly ConcurrentDictionary<GrainId, int> Registrations = new();
    private static readonly ConcurrentDictionary<(string Method, string Key), int> Nulls = new();
    private static readonly ConcurrentDictionary<(string Method, string Key), int> Replies = new();

    /// <summary>How many calls and registrations were failed so far, for a test to show its fault was hit.</summary>
    public static int Injected => _injected;

    private static int _injected;

    /// <summary>Fails the next <paramref name="times"/> calls of <paramref name="method"/> on the grain keyed <paramref name="key"/>.</summary>
    public static void FailCalls(string method, string key, int times) => Calls[(method, key)] = times;

    /// <summary>Answers the next <paramref name="times"/> calls of <paramref name="method"/> on <paramref name="key"/> with null, unasked (a team whose profile reads null).</summary>
    public static void AnswerNull(string method, string key, int times) => Nulls[(method, key)] = times;

    /// <summary>True when a call of <paramref name="method"/> on <paramref name="key"/> is to be answered with null.</summary>
    public static bool NullFor(string method, string key) => Take(Nulls, (method, key));

    /// <summary>Fails the next <paramref name="times"/> reminder registrations of <paramref name="grain"/>.</summary>
    public static void FailReminderRegistrations(GrainId grain, int times) => Registrations[grain] = times;

    /// <summary>Lets the next <paramref name="times"/> calls of <paramref name="method"/> on <paramref name="key"/> do their work, then fails their reply.</summary>
    public static void FailReplies(string method, string key, int times) => Replies[(method, key)] = times;

    private static readonly ConcurrentDictionary<(string Method, string Key), (TaskCompletionSource Reached, Task Release)> Gates = new();
    private static readonly ConcurrentDictionary<(string Method, string Key), (TaskCompletionSource Reached, Task Release)> ReplyGates = new();

    /// <summary>
    /// Holds the next call of <paramref name="method"/> on <paramref name="key"/> at the grain until
    /// <paramref name="release"/> completes (a receiver that is slow to answer); the task returned completes
    /// when that call has arrived and is held.
    /// </summary>
    public static Task HoldCall(string method, string key, Task release) => Hold(Gates, method, key, release);

    /// <summary>
    /// Holds the reply of the next call of <paramref name="method"/> (named with its interface,
    /// <c>IPresenceGrain.GetAsync</c>) on <paramref name="key"/> made by a grain,
    /// at the caller, until <paramref name="release"/> completes (an answer slow on the way back: the
    /// callee did its work and is free for the next call); the task returned completes when the reply is held.
    /// </summary>
    public static Task HoldReply(string method, string key, Task release) => Hold(ReplyGates, method, key, release);

    /// <summary>True while a reply is to be held (the filter names the call only then).</summary>
    public static bool RepliesHeld => !ReplyGates.IsEmpty;

    /// <summary>Waits while a call of <paramref name="method"/> on <paramref name="key"/> is to be held (once).</summary>
    public static Task GateAsync(string method, string key) => PassAsync(Gates, method, key);

    /// <summary>Waits while the reply of a call of <paramref name="method"/> on <paramref name="key"/> is to be held (once).</summary>
    public static Task ReplyGateAsync(string method, string key) => PassAsync(ReplyGates, method, key);

    private static Task Hold(ConcurrentDictionary<(string, string), (TaskCompletionSource Reached, Task Release)> gates, string method, string key, Task release)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gates[(method, key)] = (reached, release);
        return reached.Task;
    }

    private static async Task PassAsync(ConcurrentDictionary<(string, string), (TaskCompletionSource Reached, Task Release)> gates, string method, string key)
    {
        if (gates.TryRemove((method, key), out var gate))
        {
            gate.Reached.TrySetResult();
            await gate.Release;
        }
    }

    /// <summary>How many call failures set with <see cref="FailCalls"/> are still to come.</summary>
    public static int CallsLeft(string method, string key) => Calls.GetValueOrDefault((method, key));

    /// <summary>How many reply losses set with <see cref="FailReplies"/> are still to come.</summary>
    public static int RepliesLeft(string method, string key) => Replies.GetValueOrDefault((method, key));

    /// <summary>Throws when the reply of a call of <paramref name="method"/> on <paramref name="key"/> is to be lost.</summary>
    public static void OnReply(string method, string key)
    {
        if (Take(Replies, (method, key)))
        {
            throw new TimeoutException($"Injected loss of the reply of {method} on {key}.");
        }
    }

    /// <summary>Throws when a call of <paramref name="method"/> on <paramref name="key"/> is to fail.</summary>
    public static void OnCall(string method, string key)
    {
        if (Take(Calls, (method, key)))
        {
            throw new InvalidOperationException($"Injected failure of {method} on {key}.");
        }
    }

    /// <summary>Wraps the silo's reminder table so registrations of a grain can be made to fail.</summary>
    public static void WrapReminderTable(IServiceCollection services)
    {
        var inner = services.Last(d => d.ServiceType == typeof(IReminderTable));
        services.Remove(inner);
        services.AddSingleton(sp =>
        {
            var table = (IReminderTable)(inner.ImplementationInstance
                ?? inner.ImplementationFactory?.Invoke(sp)
                ?? ActivatorUtilities.CreateInstance(sp, inner.ImplementationType!));
            var proxy = DispatchProxy.Create<IReminderTable, FaultyReminderTable>();
            ((FaultyReminderTable)(object)proxy).Inner = table;
            return proxy;
        });
    }

    private static bool Take<TKey>(ConcurrentDictionary<TKey, int> faults, TKey key)
        where TKey : notnull
    {
        while (faults.TryGetValue(key, out var left) && left > 0)
        {
            if (faults.TryUpdate(key, left - 1, left))
            {
                Interlocked.Increment(ref _injected);
                return true;
            }
        }

        return false;
    }

    /// <summary>Every call goes to the real table, but an upsert of a grain set to fail fails as storage would.</summary>
    public class FaultyReminderTable : DispatchProxy
    {
        internal IReminderTable Inner { get; set; } = default!;

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            if (targetMethod.Name == nameof(IReminderTable.UpsertRow) && args?[0] is ReminderEntry entry && Take(Registrations, entry.GrainId))
            {
                return Task.FromException<string>(new InvalidOperationException($"Injected failure registering {entry.ReminderName} of {entry.GrainId}."));
            }

            try
            {
                return targetMethod.Invoke(Inner, args);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                throw ex.InnerException;
            }
        }
    }
}
