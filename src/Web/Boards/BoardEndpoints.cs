using System.Security.Claims;
using System.Text.Json;
using Huddle.Contracts.Boards;
using Huddle.Contracts.CareTeams;
using Huddle.Web.Auth;
using Huddle.Web.Http;

namespace Huddle.Web.Boards;

/// <summary>The board's HTTP API (docs/api.md). Every endpoint requires a signed-in user; the grain checks team membership.</summary>
public static class BoardEndpoints
{
    public static void MapBoardEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/teams/{teamId}/board", async (string teamId, ClaimsPrincipal principal, BoardService boards) =>
            ApiErrors.From(await boards.ReadAsync(principal.UserIdOf(), teamId), snapshot => snapshot.Board));

        api.MapGet("/teams/{teamId}/board/changes", async (string teamId, long since, long? epoch, ClaimsPrincipal principal, BoardService boards) =>
            // The same reply shape as the hub's ResumeBoard, so one client merges both.
            ApiErrors.Reply(await boards.ReadSinceAsync(principal.UserIdOf(), teamId, since, epoch: epoch ?? Contracts.Live.FeedPosition.AnyEpoch)));

        api.MapGet("/teams/{teamId}/patients", async (string teamId, string? query, int? offset, int? limit, ClaimsPrincipal principal, BoardService boards, HttpContext http) =>
            ApiErrors.From(await boards.PanelAsync(principal.UserIdOf(), teamId, query, offset ?? 0, limit ?? PanelPage.MaxLimit), page =>
            {
                http.Response.Headers["X-Total-Count"] = page.Total.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return page.Patients;
            }));

        api.MapGet("/teams/{teamId}/board/history", async (string teamId, DateOnly from, DateOnly to, ClaimsPrincipal principal, BoardService boards) =>
            ApiErrors.From(await boards.HistoryAsync(principal.UserIdOf(), teamId, from, to), boards => boards));

        api.MapGet("/board-ops", () => Results.Ok(BoardOperations.Names));

        api.MapPost("/teams/{teamId}/board/{op}", async (string teamId, string op, JsonElement? args, ClaimsPrincipal principal, BoardService boards) =>
        {
            var command = BoardOps.Parse(op, args);
            if (command.Error is { } invalid)
            {
                return ApiErrors.Problem(invalid);
            }

            var result = await boards.ExecuteAsync(principal.UserIdOf(), teamId, command.Value!);
            return result.Error is { } error ? ApiErrors.Problem(error) : Results.Ok(result);
        });
    }
}
