using System.Security.Claims;
using Huddle.Contracts.Push;
using Huddle.Web.Auth;
using Huddle.Web.Http;

namespace Huddle.Web.Push;

/// <summary>The push endpoints (docs/api.md, "Push"): the caller's own devices only.</summary>
public static class PushEndpoints
{
    public static void MapPushEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/push/key", async (PushService push) => ApiErrors.Reply(await push.KeyAsync()));
        api.MapGet("/push/devices", async (ClaimsPrincipal principal, PushService push) =>
            ApiErrors.Reply(await push.ListAsync(principal.UserIdOf())));
        api.MapPut("/push/devices/{deviceId}", async (string deviceId, PushDeviceBody body, ClaimsPrincipal principal, PushService push) =>
            ApiErrors.Reply(await push.SubscribeAsync(principal.UserIdOf(), body.For(deviceId))));
        api.MapPatch("/push/devices/{deviceId}", async (string deviceId, PushDeviceRename body, ClaimsPrincipal principal, PushService push) =>
            ApiErrors.Reply(await push.RenameAsync(principal.UserIdOf(), deviceId, body.Name)));
        api.MapDelete("/push/devices/{deviceId}", async (string deviceId, ClaimsPrincipal principal, PushService push) =>
            ApiErrors.Reply(await push.RemoveAsync(principal.UserIdOf(), deviceId)));
    }
}
