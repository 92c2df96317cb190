using System.Collections.Concurrent;
using Huddle.Storage.Tests.Infrastructure;

namespace Huddle.Storage.Tests;

/// <summary>
/// Orleans reminders on the Azure Table reminder service: a deadline armed by one silo fires from
/// the next one after a restart. Warm-handoff escalation and chat acknowledgement deadlines rely on it.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ReminderDurabilityTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_reminder_armed_before_a_silo_restart_fires_from_the_next_silo()
    {
        var settings = HuddleTestCluster.AzureTableConfig(azurite.Server);
        var serviceId = "huddle-" + Guid.NewGuid().ToString("N");
        var key = "probe-" + Guid.NewGuid().ToString("N");
        var fired = ReminderProbeGrain.Fired.GetOrAdd(key, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));

        await using (var first = await HuddleTestCluster.StartAsync(serviceId, settings))
        {
            // Due well after the first silo has stopped: a graceful stop against Azurite can take seconds on
            // a busy machine, and a reminder due meanwhile would fire there.
            await first.Client.GetGrain<IReminderProbeGrain>(key).ArmAsync(TimeSpan.FromSeconds(15));
        }

        // The first silo is gone before the reminder was due; only the table remembers it.
        Assert.False(fired.Task.IsCompleted);
        await using var second = await HuddleTestCluster.StartAsync(serviceId, settings);
        var silo = await fired.Task.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        Assert.Equal(second.Silos[0].SiloAddress.ToString(), silo);
    }
}

public interface IReminderProbeGrain : IGrainWithStringKey
{
    Task ArmAsync(TimeSpan due);
}

/// <summary>Records, per key, the silo a reminder fired on.</summary>
public sealed class ReminderProbeGrain(ILocalSiloDetails silo) : Grain, IReminderProbeGrain, IRemindable
{
    public static readonly ConcurrentDictionary<string, TaskCompletionSource<string>> Fired = new();

    public async Task ArmAsync(TimeSpan due) => await this.RegisterOrUpdateReminder("probe", due, TimeSpan.FromMinutes(1));

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        Fired.GetOrAdd(this.GetPrimaryKeyString(), _ => new(TaskCreationOptions.RunContinuationsAsynchronously))
            .TrySetResult(silo.SiloAddress.ToString());
        await this.UnregisterReminder(await this.GetReminder("probe") ?? throw new InvalidOperationException("The probe reminder is gone."));
    }
}
