using System.Collections.Immutable;

namespace Huddle.Web.Metrics;

/// <summary>
/// The teams whose handoff metrics include a month of invented history, seeded at start in demo mode
/// so a fresh install shows what the metrics page is for: the page says so on those teams, in words,
/// so invented figures are never read as a clinic's own.
/// </summary>
public sealed record DemoHistory(ImmutableArray<string> TeamIds)
{
    /// <summary>True when <paramref name="teamId"/>'s metrics include demo history.</summary>
    public bool Includes(string teamId) => TeamIds.Contains(teamId);
}
