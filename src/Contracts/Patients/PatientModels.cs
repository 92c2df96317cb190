using System.Collections.Immutable;
using Huddle.Contracts.Boards;

namespace Huddle.Contracts.Patients;

/// <summary>
/// The minimal patient profile the board needs. The key is an opaque patient id, never an MRN.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.patient-profile")]
public sealed record PatientProfile(
    [property: Id(0)] string PatientId,
    [property: Id(1)] string DisplayName,
    [property: Id(2)] string Initials,
    [property: Id(3)] string? Room,
    [property: Id(4)] ImmutableArray<CardFlag> Flags,
    [property: Id(5)] ImmutableArray<string> TeamIds)
{
    /// <summary>Initials from a display name: "Maria Lopez" → "M.L.".</summary>
    public static string InitialsOf(string displayName)
    {
        var parts = displayName.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Length == 0 ? "?" : string.Concat(parts.Select(p => char.ToUpperInvariant(p[0]) + "."));
    }
}
