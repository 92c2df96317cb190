using System.Collections.Immutable;
using Huddle.Contracts.Push;

namespace Huddle.Grains.Push;

/// <summary>
/// A clinician's push devices (at most <see cref="PushLimits.MaxDevices"/>), the notices still being
/// sent (at most <see cref="PushLimits.MaxPending"/>, each until it expires) and the ids of the last
/// notices taken (at most <see cref="MaxTaken"/>, so a notice told twice is sent once). Bounded by
/// those three numbers, whatever the use: about 10 KB at most.
/// </summary>
[GenerateSerializer, Alias("huddle.push-devices-state")]
public sealed class PushDevicesState
{
    public const int MaxTaken = 50;

    [Id(0)]
    public ImmutableArray<PushDevice> Devices { get; set; } = [];

    [Id(1)]
    public ImmutableArray<PendingPush> Pending { get; set; } = [];

    [Id(2)]
    public ImmutableArray<string> Taken { get; set; } = [];
}

/// <summary>A notice some devices (<see cref="DeviceIds"/>) have yet to take.</summary>
[GenerateSerializer, Immutable, Alias("huddle.pending-push")]
public sealed record PendingPush(
    [property: Id(0)] PushNotice Notice,
    [property: Id(1)] ImmutableArray<string> DeviceIds);

/// <summary>The deployment's generated VAPID keys (none when configured).</summary>
[GenerateSerializer, Alias("huddle.push-keys-state")]
public sealed class PushKeysState
{
    [Id(0)]
    public VapidKeys? Keys { get; set; }
}
