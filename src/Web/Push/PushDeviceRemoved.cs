namespace Huddle.Web.Push;

/// <summary>The answer to a removal: <see cref="Removed"/> is false when the device was not on the list (not an error).</summary>
public sealed record PushDeviceRemoved(string DeviceId, bool Removed);
