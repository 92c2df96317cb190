using Microsoft.Extensions.Options;

namespace Huddle.Web.Live;

/// <summary>Renews the relay's subscriptions well before the owners forget them.</summary>
public sealed class FeedRelayRenewal(FeedRelay relay, IOptions<FeedRelayOptions> options) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RenewEvery);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await relay.RenewAsync();
        }
    }
}
