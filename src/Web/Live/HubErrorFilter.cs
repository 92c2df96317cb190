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

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        ArgumentNullException.ThrowIfNull(invocationContext);
        ArgumentNullException.ThrowIfNull(next);
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
