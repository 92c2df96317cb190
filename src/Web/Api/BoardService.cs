using Huddle.Grains.CareTeams;
using Huddle.Grains.CareTeams.Board;
using Huddle.Grains.Common;

namespace Huddle.Web.Api;

/// <summary>
/// The one door from web code (hub, HTTP, Blazor) to a team's board. It turns infrastructure
/// failures into the documented <c>unavailable</c> error so callers deal only with results.
/// </summary>
public sealed partial class BoardService(IGrainFactory grains, ILogger<BoardService> logger)
{
    /// <summary>What <paramref name="userId"/> may do on <paramref name="teamId"/>.</summary>
    public async Task<TeamAccess> AccessAsync(string userId, string teamId)
    {
        if (!Ids.IsValid(teamId))
        {
            return TeamAccess.None;
        }

        try
        {
            return await Team(teamId).GetAccessAsync(userId);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(ex, teamId, "access");
            return TeamAccess.None;
        }
    }

    /// <summary>The team's profile and roster, or null when unknown or unreachable.</summary>
    public async Task<CareTeamProfile?> ProfileAsync(string teamId)
    {
        if (!Ids.IsValid(teamId))
        {
            return null;
        }

        try
        {
            return await Team(teamId).GetProfileAsync();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(ex, teamId, "profile");
            return null;
        }
    }

    /// <summary>Today's board as <paramref name="userId"/> may see it.</summary>
    public async Task<BoardRead> ReadAsync(string userId, string teamId)
    {
        if (!Ids.IsValid(teamId))
        {
            return new BoardRead(null, TeamAccess.None, InvalidTeamId);
        }

        try
        {
            return await Team(teamId).GetBoardAsync(userId);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(ex, teamId, "read");
            return new BoardRead(null, TeamAccess.None, Unavailable);
        }
    }

    /// <summary>The patients on the team's panel, for <paramref name="userId"/> (members only).</summary>
    public async Task<PanelRead> PanelAsync(string userId, string teamId)
    {
        if (!Ids.IsValid(teamId))
        {
            return new PanelRead([], InvalidTeamId);
        }

        try
        {
            return await Team(teamId).GetPanelAsync(userId);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(ex, teamId, "panel");
            return new PanelRead([], Unavailable);
        }
    }

    /// <summary>Past days' boards from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public async Task<BoardHistoryRead> HistoryAsync(string userId, string teamId, DateOnly from, DateOnly to)
    {
        if (!Ids.IsValid(teamId))
        {
            return new BoardHistoryRead([], InvalidTeamId);
        }

        try
        {
            return await Team(teamId).GetHistoryAsync(userId, from, to);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(ex, teamId, "history");
            return new BoardHistoryRead([], Unavailable);
        }
    }

    /// <summary>Applies <paramref name="command"/> as <paramref name="userId"/>.</summary>
    public async Task<CommandResult> ExecuteAsync(string userId, string teamId, BoardCommand command)
    {
        if (!Ids.IsValid(teamId))
        {
            return new CommandResult(0, InvalidTeamId);
        }

        try
        {
            return await Team(teamId).ExecuteAsync(userId, command);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(ex, teamId, command.Op);
            return new CommandResult(0, Unavailable);
        }
    }

    private static readonly HuddleError Unavailable = new(ErrorCodes.Unavailable, "The board could not be reached or the change could not be confirmed as saved. Re-read the board, then try again.");

    private static readonly HuddleError InvalidTeamId =
        HuddleError.Invalid($"A team id is 1-{Ids.MaxLength} letters, digits, '-', '_' or '.'.");

    private ICareTeamGrain Team(string teamId) => grains.GetGrain<ICareTeamGrain>(teamId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Board {TeamId} {Op} failed")]
    private partial void LogFailed(Exception ex, string teamId, string op);
}
