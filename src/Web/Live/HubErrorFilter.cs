using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using Huddle.Contracts.Common;
using Huddle.Web.Http;
using Microsoft.AspNetCore.SignalR;

namespace Huddle.Web.Live;

/// <summary>
/// Every hub method answers with a result, also when something fails underneath: an unreachable grain
/// or storage becomes <c>unavailable</c>, anything else is a bug, logged with a trace id that the
/// reply names (<c>internal_error</c>). Without it a client would only see SignalR's generic
/// "An unexpected error occurred".
/// </summary>
public sealed partial class HubErrorFilter(ILogger<HubErrorFilter> logger) : IHubFilter
{
    private static readonly ConcurrentDictionary<Type, Func<HuddleError, object>?> FailureFactories = new();
    private static readonly ConcurrentDictionary<MethodInfo, (int Index, string Name)[]> Required = new();

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        ArgumentNullException.ThrowIfNull(invocationContext);
        ArgumentNullException.ThrowIfNull(next);
        if (FailureFor(invocationContext.HubMethod.ReturnType) is { } refuse && NullForRequired(invocationContext) is { } missing)
        {
            // A JSON null binds to any object argument: the client's mistake, answered as such, and nothing is done.
            return refuse(HuddleError.Invalid($"'{invocationContext.HubMethodName}' needs '{missing}' (it may not be null)."));
        }

        try
        {
            return await next(invocationContext);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && ex is not HubException)
        {
            var traceId = Activity.Current?.TraceId.ToString() ?? $"{invocationContext.Context.ConnectionId}:{Guid.NewGuid():N}";
            var unavailable = Failures.IsUnavailable(ex);
            if (unavailable)
            {
                LogUnavailable(ex, invocationContext.HubMethodName, traceId);
            }
            else
            {
                LogFault(ex, invocationContext.HubMethodName, traceId);
            }

            var error = unavailable ? Failures.Unavailable : Failures.Internal(traceId);
            return FailureFor(invocationContext.HubMethod.ReturnType) is { } failure ? failure(error) : throw new HubException(error.Message);
        }
    }

    /// <summary>The name of the first argument the method declares non-nullable that the call gave as null; null when none.</summary>
    private static string? NullForRequired(HubInvocationContext invocation)
    {
        // The arguments as the method takes them (the client's, with services and the cancellation token in place).
        var arguments = invocation.HubMethodArguments;
        if (arguments.Count != invocation.HubMethod.GetParameters().Length)
        {
            return null;
        }

        foreach (var (index, name) in Required.GetOrAdd(invocation.HubMethod, RequiredOf))
        {
            if (index < arguments.Count && arguments[index] is null)
            {
                return name;
            }
        }

        return null;
    }

    private static (int Index, string Name)[] RequiredOf(MethodInfo method)
    {
        var nullability = new NullabilityInfoContext();
        return [.. method.GetParameters()
            .Where(p => !p.ParameterType.IsValueType && nullability.Create(p).WriteState == NullabilityState.NotNull)
            .Select(p => (p.Position, p.Name ?? $"argument {p.Position + 1}"))];
    }

    /// <summary>Builds a failed <see cref="Result{T}"/> for a method returning <c>Task&lt;Result&lt;T&gt;&gt;</c>; null for other methods.</summary>
    internal static Func<HuddleError, object>? FailureFor(Type returnType) => FailureFactories.GetOrAdd(returnType, static type =>
    {
        var inner = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Task<>) ? type.GetGenericArguments()[0] : type;
        if (!inner.IsGenericType || inner.GetGenericTypeDefinition() != typeof(Result<>))
        {
            return null;
        }

        var factory = inner.GetMethod(nameof(Result<object>.Failure), BindingFlags.Public | BindingFlags.Static)!;
        return error => factory.Invoke(null, [error])!;
    });

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hub method {Method} could not reach a grain or storage (trace {TraceId})")]
    private partial void LogUnavailable(Exception ex, string method, string traceId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Hub method {Method} failed (trace {TraceId})")]
    private partial void LogFault(Exception ex, string method, string traceId);
}
