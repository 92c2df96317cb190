using System.Reflection;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR;

namespace Huddle.Web.Tests;

/// <summary>A hub call as a hub filter sees it, without a host: for the filters' own tests.</summary>
public static class HubInvocations
{
    /// <summary>A call of <paramref name="method"/> on <paramref name="hub"/> by connection <paramref name="connectionId"/>, signed in as <paramref name="userId"/> (null: nobody).</summary>
    public static HubInvocationContext Of(Hub hub, MethodInfo method, string connectionId = "c-test", string? userId = null) =>
        new(new Caller(connectionId, userId), new NoServices(), hub, method, []);

    private sealed class NoServices : IServiceProvider
    {
        public object? GetService(Type serviceType) => null;
    }

    private sealed class Caller(string connectionId, string? userId) : HubCallerContext
    {
        public override string ConnectionId => connectionId;

        public override string? UserIdentifier => userId;

        public override ClaimsPrincipal? User { get; } = userId is null
            ? null
            : new(new ClaimsIdentity([new Claim(Huddle.Web.Auth.HuddleClaims.UserId, userId)], "test"));

        public override IDictionary<object, object?> Items { get; } = new Dictionary<object, object?>();

        public override IFeatureCollection Features { get; } = new FeatureCollection();

        public override CancellationToken ConnectionAborted => CancellationToken.None;

        public override void Abort()
        {
        }
    }
}
