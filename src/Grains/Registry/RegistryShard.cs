using System.Collections.Immutable;
using Huddle.Contracts.Registry;

namespace Huddle.Grains.Registry;

/// <summary>
/// One of a registry's shards as stored (a history page of the team's registry grain): the entries of
/// the enrolled patients whose id hashes to it (<see cref="CareTeams.PanelShard.Of"/>, 64 shards).
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.registry-shard")]
public sealed record RegistryShard([property: Id(0)] ImmutableArray<RegistryEntry> Entries)
{
    public static readonly RegistryShard Empty = new([]);
}
