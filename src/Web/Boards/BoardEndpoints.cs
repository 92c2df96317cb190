using System.Security.Claims;
using System.Text.Json;
using Huddle.Web.Auth;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Users;

using Huddle.Web.Http;

namespace Huddle.Web.Boards;

/// <summary>A team as GET /api/me lists it.</summary>
public sealed record MyTeam(string TeamId, string Name, TeamAccess Access);

/// <summary>GET /api/me.</summary>
public sealed record Me(string UserId, string DisplayName, UserKind Kind, CareTeamRole? Role, IReadOnlyList<MyTeam> Teams);

/// <summary>The reply to a board command over HTTP or the hub.</summary>
public sealed record CommandReply(bool Ok, long Version, Contracts.Common.HuddleError? Error)
{
    public static CommandReply From(CommandResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new(result.Ok, result.Version, result.Error);
    }

    public static CommandReply Failed(Contracts.Common.HuddleError error) => new(false, 0, error);
}

/// <summary>The HTTP API (docs/api.md). Every endpoint requires a signed-in user; the grain checks team membership.</summary>
public static class ApiEndpoints
{
    public static void MapHuddleApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").RequireAuthorization();

        api.MapGet("/me", async (ClaimsPrincipal principal, BoardService boards) =>
            await boards.MeAsync(principal.UserIdOf()) is { } me
                ? Results.Ok(me)
                : ApiErrors.Problem(Contracts.Common.HuddleError.NotFound("User", principal.UserIdOf())));

        api.MapGet("/teams/{teamId}/board", async (string teamId, ClaimsPrincipal principal, BoardService boards) =>
        {
            var read = await boards.ReadAsync(principal.UserIdOf(), teamId);
            return read.Error is { } error ? ApiErrors.Problem(error) : Results.Ok(read.Board);
        });

        api.MapGet("/teams/{teamId}/patients", async (string teamId, ClaimsPrincipal principal, BoardService boards) =>
        {
            var read = await boards.PanelAsync(principal.UserIdOf(), teamId);
            return read.Error is { } error ? ApiErrors.Problem(error) : Results.Ok(read.Patients);
        });

        api.MapGet("/teams/{teamId}/board/history", async (string teamId, DateOnly from, DateOnly to, ClaimsPrincipal principal, BoardService boards) =>
        {
            var read = await boards.HistoryAsync(principal.UserIdOf(), teamId, from, to);
            return read.Error is { } error ? ApiErrors.Problem(error) : Results.Ok(read.Boards);
        });

        api.MapGet("/board-ops", () => Results.Ok(BoardOps.Names));

        api.MapPost("/teams/{teamId}/board/{op}", async (string teamId, string op, JsonElement? args, ClaimsPrincipal principal, BoardService boards) =>
        {
            var (command, parseError) = BoardOps.Parse(op, args);
            if (parseError is not null)
            {
                return ApiErrors.Problem(parseError);
            }

            var result = await boards.ExecuteAsync(principal.UserIdOf(), teamId, command!);
            return result.Error is { } error ? ApiErrors.Problem(error) : Results.Ok(CommandReply.From(result));
        });
    }
}
