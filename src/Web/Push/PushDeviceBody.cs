using Huddle.Contracts.Push;

namespace Huddle.Web.Push;

/// <summary>The body of PUT /api/push/devices/{deviceId}: the browser's <c>PushSubscription.toJSON()</c>, and a name.</summary>
public sealed record PushDeviceBody(string Endpoint, PushKeys Keys, string? Name = null)
{
    public PushSubscriptionInput For(string deviceId) => new(deviceId, Endpoint, Keys, Name);
}
