using Huddle.Contracts.Common;
using Huddle.Contracts.Handoffs;
using Huddle.Web.Http;

namespace Huddle.Web.Metrics;

/// <summary>A team's warm-handoff metrics for the API and the metrics page (docs/clinical.md defines each figure).</summary>
public sealed partial class MetricsService(IGrainFactory grains, ILogger<MetricsService> logger)
{
    /// <summary>The periods the page offers: today, the last 7 and the last 30 days.</summary>
    public static readonly int[] Periods = [1, 7, 30];

    public async Task<Result<HandoffMetricsReport>> ReadAsync(string userId, string teamId, int days)
    {
        if (!Ids.IsValid(teamId))
        {
            return HuddleError.InvalidId("A team id");
        }

        try
        {
            return await grains.Grain<ITeamHandoffsGrain>(teamId).GetMetricsAsync(userId, days);
        }
        catch (Exception ex) when (Failures.IsUnavailable(ex))
        {
            LogUnavailable(ex, teamId);
            return Failures.Unavailable;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handoff metrics of team {TeamId} could not be read")]
    private partial void LogUnavailable(Exception ex, string teamId);
}
