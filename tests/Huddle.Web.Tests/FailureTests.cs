using System.Reflection;
using Huddle.Contracts.Boards;
using Huddle.Contracts.Common;
using Huddle.Web.Http;
using Huddle.Web.Live;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging.Abstractions;

namespace Huddle.Web.Tests;

/// <summary>An outage is "unavailable" (worth a retry); a bug is "internal_error" with a trace id, never disguised as an outage.</summary>
public sealed class FailureTests
{
    [Fact]
    public void Infrastructure_failures_are_unavailable_and_bugs_are_not()
    {
        Assert.True(Failures.IsUnavailable(new TimeoutException()));
        Assert.True(Failures.IsUnavailable(new OrleansException("silo gone")));
        Assert.True(Failures.IsUnavailable(new InvalidOperationException("wrapped", new Orleans.Storage.InconsistentStateException("etag"))));
        Assert.True(Failures.IsUnavailable(new IOException("socket closed")));
        Assert.False(Failures.IsUnavailable(new NullReferenceException()));
        Assert.False(Failures.IsUnavailable(new ArgumentException("bad key")));
        Assert.False(Failures.IsUnavailable(new InvalidOperationException("a bug")));
    }

    [Fact]
    public async Task A_hub_method_that_fails_answers_with_a_result_naming_what_happened()
    {
        var filter = new HubErrorFilter(NullLogger<HubErrorFilter>.Instance);
        var method = typeof(HuddleHub).GetMethod(nameof(HuddleHub.Execute))!;

        var bug = (Result<CommandOutcome>)(await filter.InvokeMethodAsync(Invocation(method), _ => throw new InvalidOperationException("a bug")))!;
        Assert.Equal(ErrorCodes.Internal, bug.Error?.Code);
        Assert.Contains("trace id", bug.Error!.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("a bug", bug.Error.Message, StringComparison.Ordinal);

        var outage = (Result<CommandOutcome>)(await filter.InvokeMethodAsync(Invocation(method), _ => throw new TimeoutException()))!;
        Assert.Equal(ErrorCodes.Unavailable, outage.Error?.Code);

        // A method without a result (UnsubscribeBoard) still fails as SignalR reports it, with the message only.
        var plain = typeof(HuddleHub).GetMethod(nameof(HuddleHub.UnsubscribeBoard))!;
        var error = await Assert.ThrowsAsync<HubException>(async () => await filter.InvokeMethodAsync(Invocation(plain), _ => throw new InvalidOperationException("a bug")));
        Assert.Contains("trace id", error.Message, StringComparison.Ordinal);
    }

    private static HubInvocationContext Invocation(MethodInfo method) => HubInvocations.Of(new HuddleHub(null!), method);
}
