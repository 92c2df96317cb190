namespace Huddle.Web.Push;

/// <summary>The body of PATCH /api/push/devices/{deviceId}.</summary>
public sealed record PushDeviceRename(string? Name);
