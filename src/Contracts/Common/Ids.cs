using System.Buffers;

namespace Huddle.Contracts.Common;

/// <summary>
/// The shape of an opaque id (team, patient, user): 1-64 characters of letters, digits, '-', '_'
/// or '.'. Checked at the edge so malformed input never becomes a grain key or a storage key.
/// </summary>
public static class Ids
{
    public const int MaxLength = 64;

    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.");

    public static bool IsValid(string? id) =>
        id is { Length: > 0 and <= MaxLength } && !id.AsSpan().ContainsAnyExcept(Allowed);
}
