using System.Collections.Immutable;
using Huddle.Contracts.Patients;

namespace Huddle.Grains.CareTeams;

/// <summary>
/// One of a panel's <see cref="Count"/> shards as stored (a history page of the panel's grain): the
/// patients whose id hashes to it. An update rewrites only its patient's shard, about 1/64 of the panel.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.panel-shard")]
public sealed record PanelShard([property: Id(0)] ImmutableArray<PatientProfile> Patients)
{
    /// <summary>How many shards a panel is split into.</summary>
    public const int Count = 64;

    public static readonly PanelShard Empty = new([]);

    /// <summary>The shard of <paramref name="patientId"/>: FNV-1a of its characters, stable across processes (unlike string.GetHashCode).</summary>
    public static int Of(string patientId)
    {
        ArgumentNullException.ThrowIfNull(patientId);
        var hash = 2166136261u;
        foreach (var c in patientId)
        {
            hash = unchecked((hash ^ c) * 16777619u);
        }

        return (int)(hash % Count);
    }
}
