using System.Net;
using Huddle.Contracts.Common;
using Huddle.Contracts.Push;
using Huddle.Web.Http;

namespace Huddle.Web.Push;

/// <summary>
/// The door from web code to a clinician's push devices (docs/api.md, "Push"): each person manages
/// their own devices only (the grain's key is the caller's id). Endpoints must be <c>https</c>; in
/// Development a loopback <c>http</c> endpoint is taken too, which is how the tests and an integrator
/// try it with a push service of their own.
/// </summary>
public sealed partial class PushService(IGrainFactory grains, IHostEnvironment environment, ILogger<PushService> logger)
{
    public Task<Result<PushKey>> KeyAsync() =>
        CallAsync(async () => Result<PushKey>.Success(new PushKey((await grains.Grain<IPushKeysGrain>(IPushKeysGrain.Key).GetAsync()).PublicKey)));

    public Task<Result<PushDeviceList>> ListAsync(string userId) =>
        CallAsync(async () => Result<PushDeviceList>.Success(await Devices(userId).ListAsync()));

    public Task<Result<PushDeviceView>> SubscribeAsync(string userId, PushSubscriptionInput? input)
    {
        if (PushSubscriptions.Validate(input) is { } invalid)
        {
            return Task.FromResult(Result<PushDeviceView>.Failure(invalid));
        }

        var endpoint = new Uri(input!.Endpoint);
        if (endpoint.Scheme != Uri.UriSchemeHttps && !(environment.IsDevelopment() && IsLoopback(endpoint)))
        {
            return Task.FromResult(Result<PushDeviceView>.Failure(HuddleError.Invalid("A push endpoint is https (an http endpoint is taken on loopback in Development only).")));
        }

        return CallAsync(() => Devices(userId).SubscribeAsync(input));
    }

    public Task<Result<PushDeviceView>> RenameAsync(string userId, string deviceId, string? name) =>
        Ids.IsValid(deviceId) ? CallAsync(() => Devices(userId).RenameAsync(deviceId, name ?? "")) : Task.FromResult(Result<PushDeviceView>.Failure(HuddleError.InvalidId("A deviceId")));

    public Task<Result<PushDeviceRemoved>> RemoveAsync(string userId, string deviceId) =>
        Ids.IsValid(deviceId)
            ? CallAsync(async () => (await Devices(userId).RemoveAsync(deviceId)).Map(removed => new PushDeviceRemoved(deviceId, removed)))
            : Task.FromResult(Result<PushDeviceRemoved>.Failure(HuddleError.InvalidId("A deviceId")));

    private IPushDevicesGrain Devices(string userId) => grains.Grain<IPushDevicesGrain>(userId);

    private static bool IsLoopback(Uri endpoint) =>
        endpoint.IsLoopback || (IPAddress.TryParse(endpoint.Host, out var address) && IPAddress.IsLoopback(address));

    private async Task<Result<T>> CallAsync<T>(Func<Task<Result<T>>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception ex) when (Failures.IsUnavailable(ex))
        {
            LogUnavailable(ex);
            return Failures.Unavailable;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Push devices could not be reached")]
    private partial void LogUnavailable(Exception ex);
}
