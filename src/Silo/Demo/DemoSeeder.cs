using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Handoffs;
using Huddle.Contracts.Patients;
using Huddle.Contracts.Registry;
using Huddle.Contracts.Users;

namespace Huddle.Silo.Demo;

/// <summary>
/// Seeds <see cref="DemoData"/> at start. Idempotent: a team that already exists (durable storage
/// from an earlier run, or another silo seeding at the same time) is left exactly as it is.
/// </summary>
internal sealed partial class DemoSeeder(IGrainFactory grains, HuddleClock clock, ILogger<DemoSeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var user in DemoData.Users)
        {
            // Only users not there yet: a durable store keeps what administrators changed since.
            var grain = grains.Grain<IUserGrain>(user.UserId);
            if (await grain.GetAsync() is null)
            {
                await grain.SetAsync(user);
            }
        }

        foreach (var patient in DemoData.Patients)
        {
            await grains.Grain<IPatientGrain>(patient.PatientId).SetAsync(patient);
        }

        foreach (var team in DemoData.Teams)
        {
            var grain = grains.Grain<ICareTeamGrain>(team.TeamId);
            if (!await grain.TryCreateAsync(team))
            {
                // Kept from an earlier run (durable storage): listed for administrators as it stands now
                // (a team stored before the directory existed is otherwise listed at its next change).
                if (await grain.GetProfileAsync() is { } kept)
                {
                    await grains.Grain<ITeamDirectoryGrain>(ITeamDirectoryGrain.Key).TeamChangedAsync(TeamListing.Of(kept));
                }

                continue;
            }

            var actor = team.Members[0].UserId;
            var today = team.DayAt(clock.UtcNow);
            foreach (var command in DemoData.BoardScript(team.TeamId, today))
            {
                var result = await grain.ExecuteAsync(actor, command);
                if (result.Error is { } error)
                {
                    throw new InvalidOperationException($"Demo seed step {command.Op} for {team.TeamId} failed: {error.Code} {error.Message}");
                }
            }

            // The registry's invented histories: the cards above then show real scores and prompts.
            foreach (var (actorId, patientId, command) in DemoData.RegistryScript(team.TeamId, today))
            {
                var result = await grains.Grain<IPatientGrain>(patientId).CareAsync(actorId, command);
                if (result.Error is { } error)
                {
                    throw new InvalidOperationException($"Demo registry step {command.Op} for {patientId} failed: {error.Code} {error.Message}");
                }
            }

            // A month of invented, closed handoffs, so the metrics page shows what it is for on a fresh start
            // (ids start "h-demo-"; the page says the history is demo data).
            var desk = grains.Grain<ITeamHandoffsGrain>(team.TeamId);
            foreach (var (item, outcome) in DemoData.History(team, today))
            {
                await desk.TrackAsync(item, outcome);
            }

            LogSeeded(team.TeamId);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo data seeded for team {TeamId}")]
    private partial void LogSeeded(string teamId);
}
