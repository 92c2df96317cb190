using Huddle.Contracts.Common;
using Huddle.Contracts.Users;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Huddle.Silo.Hosting;

/// <summary>
/// Creates a new deployment's first administrator (<see cref="HuddleConfig.BootstrapAdministrator"/>) when
/// no user has that id yet. Without it a deployment signed in through its provider would have nobody
/// who may create users and teams: the provider says who someone is, Huddle's own record what they are.
/// </summary>
internal sealed partial class AdministratorBootstrap(IGrainFactory grains, string userId, string displayName, ILogger<AdministratorBootstrap> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var user = grains.Grain<IUserGrain>(userId);
        if (await user.GetAsync() is { } existing)
        {
            if (existing.Kind != UserKind.Administrator)
            {
                LogNotAdministrator();
            }

            return;
        }

        await user.SetAsync(new UserProfile(userId, displayName, UserKind.Administrator, null, []));
        LogCreated();
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "The first administrator was created from Huddle:Administration:BootstrapUserId; remove the setting once administrators are in place")]
    private partial void LogCreated();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Huddle:Administration:BootstrapUserId names an existing user who is not an administrator: left unchanged")]
    private partial void LogNotAdministrator();
}
