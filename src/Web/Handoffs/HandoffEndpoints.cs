using System.Security.Claims;
using System.Text.Json;
using Huddle.Contracts.Common;
using Huddle.Contracts.Handoffs;
using Huddle.Contracts.Live;
using Huddle.Contracts.Presence;
using Huddle.Web.Auth;
using Huddle.Web.Http;
using Huddle.Web.Presence;

namespace Huddle.Web.Handoffs;

/// <summary>The HTTP API of warm handoffs and presence (docs/api.md); the grains check who may do what.</summary>
public static class HandoffEndpoints
{
    public static void MapHandoffEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/handoffs", async (RequestHandoff request, ClaimsPrincipal principal, HandoffService handoffs) =>
            ApiErrors.From(await handoffs.RequestAsync(principal.UserIdOf(), request), summary => summary));

        api.MapGet("/handoffs/{handoffId}", async (string handoffId, ClaimsPrincipal principal, HandoffService handoffs) =>
            ApiErrors.From(await handoffs.OpenAsync(principal.UserIdOf(), handoffId), handoff => handoff));

        api.MapPost("/handoffs/{handoffId}/{op}", async (string handoffId, string op, JsonElement? args, ClaimsPrincipal principal, HandoffService handoffs) =>
        {
            var command = Parse(op, args);
            return command.Error is { } invalid
                ? ApiErrors.Problem(invalid)
                : ApiErrors.From(await handoffs.ExecuteAsync(principal.UserIdOf(), handoffId, command.Value!), summary => summary);
        });

        api.MapGet("/handoff-ops", () => Results.Ok(HandoffOperations.Names));

        // The catch-up reads answer as their hub twins (ResumeInbox, ResumeTeamHandoffs) do, ok and error
        // included, so one client merges both.
        api.MapGet("/inbox", async (long? since, long? epoch, ClaimsPrincipal principal, HandoffService handoffs) =>
            ApiErrors.Reply(await handoffs.ReadInboxAsync(principal.UserIdOf(), since, epoch ?? FeedPosition.AnyEpoch)));

        api.MapGet("/teams/{teamId}/handoffs", async (string teamId, long? since, long? epoch, ClaimsPrincipal principal, HandoffService handoffs) =>
            ApiErrors.Reply(await handoffs.ReadTeamAsync(principal.UserIdOf(), teamId, since, epoch ?? FeedPosition.AnyEpoch)));

        api.MapPut("/teams/{teamId}/handoff-policy", async (string teamId, EscalationPolicy policy, ClaimsPrincipal principal, HandoffService handoffs) =>
            ApiErrors.From(await handoffs.SetPolicyAsync(principal.UserIdOf(), teamId, policy), set => set));

        api.MapGet("/presence/{userId}", async (string userId, ClaimsPrincipal principal, PresenceService presence) =>
            ApiErrors.From(await presence.GetAsync(principal.UserIdOf(), userId), view => view));

        api.MapPut("/presence", async (PresenceChoice choice, ClaimsPrincipal principal, PresenceService presence) =>
            ApiErrors.From(await presence.SetAsync(principal.UserIdOf(), choice.Status), view => view));
    }

    /// <summary>The command named <paramref name="op"/> from its JSON arguments (the request has its own endpoint).</summary>
    private static Result<HandoffCommand> Parse(string op, JsonElement? args)
    {
        var index = HandoffOperations.Names.ToList().IndexOf(op);
        if (index < 0 || HandoffOperations.Types[index] == typeof(RequestHandoff))
        {
            return HuddleError.NotFound("Handoff operation", op);
        }

        try
        {
            var json = args is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } a ? a.GetRawText() : "{}";
            return JsonSerializer.Deserialize(json, HandoffOperations.Types[index], HuddleJson.Options) is HandoffCommand command
                ? command
                : HuddleError.Invalid($"'{op}' needs its arguments.");
        }
        catch (JsonException ex)
        {
            return HuddleError.Invalid($"Arguments of '{op}' are not valid: {ArgumentErrors.Describe(ex)}");
        }
    }
}
