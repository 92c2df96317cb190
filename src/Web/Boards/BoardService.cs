
using Huddle.Contracts.Boards;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Users;

using Huddle.Web.Http;

namespace Huddle.Web.Boards;

/// <summary>
/// The one door from web code (hub, HTTP, Blazor) to a team's grain. It rejects malformed team ids
/// before they become grain keys, and turns infrastructure failures into the documented
/// <c>unavailable</c> error, so callers deal only with results.
/// </summary>
public sealed partial class BoardService(IGrainFactory grains, ILogger<BoardService> logger)
{
    /// <summary>Who <paramref name="userId"/> is and the teams they may open; null for an unknown user.</summary>
    public async Task<Me?> MeAsync(string userId)
    {
        if (await grains.GetGrain<Contracts.Users.IUserGrain>(userId).GetAsync() is not { } user)
        {
            return null;
        }

        var teams = new List<MyTeam>();
        foreach (var teamId in user.TeamIds)
        {
            if (await ProfileAsync(teamId) is { } team && team.AccessFor(userId) is var access and not TeamAccess.None)
            {
                teams.Add(new MyTeam(teamId, team.Name, access));
            }
        }

        return new Me(user.UserId, user.DisplayName, user.Kind, user.Role, teams);
    }

    /// <summary>The error for a grain that could not be reached or a write storage did not confirm.</summary>
    public static readonly HuddleError UnavailableError = new(ErrorCodes.Unavailable,
        "The board could not be reached or the change could not be confirmed as saved. Re-read the board, then try again.");

    private static readonly HuddleError InvalidTeamId =
        HuddleError.Invalid($"A team id is 1-{Ids.MaxLength} letters, digits, '-', '_' or '.'.");

    /// <summary>What <paramref name="userId"/> may do on <paramref name="teamId"/> (none when unknown or unreachable).</summary>
    public Task<TeamAccess> AccessAsync(string userId, string teamId) =>
        CallAsync(teamId, "access", g => g.GetAccessAsync(userId), _ => TeamAccess.None);

    /// <summary>The team's profile and roster, or null when unknown or unreachable.</summary>
    public Task<CareTeamProfile?> ProfileAsync(string teamId) =>
        CallAsync(teamId, "profile", g => g.GetProfileAsync(), _ => null);

    /// <summary>Today's board as <paramref name="userId"/> may see it.</summary>
    public Task<BoardRead> ReadAsync(string userId, string teamId) =>
        CallAsync(teamId, "read", g => g.GetBoardAsync(userId), e => new BoardRead(null, TeamAccess.None, e));

    /// <summary>The patients on the team's panel, for <paramref name="userId"/> (members only).</summary>
    public Task<PanelRead> PanelAsync(string userId, string teamId) =>
        CallAsync(teamId, "panel", g => g.GetPanelAsync(userId), e => new PanelRead([], e));

    /// <summary>Past days' boards from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public Task<BoardHistoryRead> HistoryAsync(string userId, string teamId, DateOnly from, DateOnly to) =>
        CallAsync(teamId, "history", g => g.GetHistoryAsync(userId, from, to), e => new BoardHistoryRead([], e));

    /// <summary>Applies <paramref name="command"/> as <paramref name="userId"/>.</summary>
    public Task<CommandResult> ExecuteAsync(string userId, string teamId, BoardCommand command) =>
        CallAsync(teamId, command.Op, g => g.ExecuteAsync(userId, command), e => new CommandResult(0, e));

    /// <summary>
    /// Calls the team's grain; <paramref name="failed"/> shapes the result for a malformed id
    /// (validation_failed) or an unreachable grain / unconfirmed write (unavailable).
    /// </summary>
    private async Task<T> CallAsync<T>(string teamId, string op, Func<ICareTeamGrain, Task<T>> call, Func<HuddleError, T> failed)
    {
        if (!Ids.IsValid(teamId))
        {
            return failed(InvalidTeamId);
        }

        try
        {
            return await call(grains.GetGrain<ICareTeamGrain>(teamId));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(ex, teamId, op);
            return failed(UnavailableError);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Board {TeamId} {Op} failed")]
    private partial void LogFailed(Exception ex, string teamId, string op);
}
