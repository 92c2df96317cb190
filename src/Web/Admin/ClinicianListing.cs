using System.Collections.Immutable;

namespace Huddle.Web.Admin;

/// <summary>A clinician an administrator can find by name: their id, name and the teams they are on.</summary>
public sealed record ClinicianListing(string UserId, string DisplayName, ImmutableArray<string> Teams)
{
    /// <summary>How the picker shows them: "Bea Holt · Maple, Oak".</summary>
    public string Label => $"{DisplayName} · {string.Join(", ", Teams)}";
}
