using System.Buffers.Text;
using System.Security.Cryptography;
using Huddle.Contracts.Push;
using Huddle.Grains.Common;
using Microsoft.Extensions.Options;

namespace Huddle.Grains.Push;

/// <summary>
/// The deployment's VAPID keys: those configured (<c>Huddle:Push:VapidPublicKey</c> and
/// <c>VapidPrivateKey</c>), or a P-256 pair generated at the first call and kept in storage, so every
/// host signs with the same key and devices subscribed yesterday still accept today's messages.
/// </summary>
public sealed class PushKeysGrain(
    [PersistentState(StorageNames.PushKeysState, StorageNames.Huddle)] IPersistentState<PushKeysState> state,
    IOptions<PushOptions> options) : Grain, IPushKeysGrain
{
    public async Task<VapidKeys> GetAsync()
    {
        var o = options.Value;
        if (o.VapidPublicKey is { Length: > 0 } configuredPublic && o.VapidPrivateKey is { Length: > 0 } configuredPrivate)
        {
            return new VapidKeys(configuredPublic, configuredPrivate, o.Subject);
        }

        if (state.State.Keys is not { } keys)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var p = key.ExportParameters(includePrivateParameters: true);
            keys = new VapidKeys(Base64Url.EncodeToString([0x04, .. p.Q.X!, .. p.Q.Y!]), Base64Url.EncodeToString(p.D!), o.Subject);
            state.State.Keys = keys;
            await state.WriteStateAsync();
        }

        return keys with { Subject = o.Subject };
    }
}
