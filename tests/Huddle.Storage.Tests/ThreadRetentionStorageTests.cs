using Huddle.Contracts.Chat;
using Huddle.Contracts.Common;
using Huddle.Contracts.Live;
using Huddle.Grains.Chat;
using Huddle.Grains.Common;
using Huddle.Storage.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Huddle.Storage.Tests;

/// <summary>Chat retention on Azure Table storage (Azurite), set by configuration: the old pages' rows go, the cut survives a restart.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ThreadRetentionStorageTests(AzuriteFixture azurite)
{
    private const string Pcp = "u-pcp";

    [Fact]
    public async Task Pages_past_the_configured_retention_leave_the_table_and_a_sync_before_them_gets_the_marker_also_after_a_restart()
    {
        var settings = HuddleTestCluster.AzureTableConfig(azurite.Server);
        settings["Huddle:Chat:Retention"] = "30.00:00:00";
        var serviceId = "huddle-" + Guid.NewGuid().ToString("N");
        var teamId = "team-" + Guid.NewGuid().ToString("N")[..20];
        var threadId = ThreadIds.ForTeam(teamId)!;
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.Zero));
        void UseClock(ISiloBuilder silo) => silo.Services.AddSingleton(new HuddleClock(clock));
        MessageSent first;

        await using (var cluster = await HuddleTestCluster.StartAsync(serviceId, settings, UseClock))
        {
            await cluster.Client.GetGrain<Contracts.CareTeams.ICareTeamGrain>(teamId).SetProfileAsync(HuddleTestCluster.Team(teamId, Pcp));
            var thread = cluster.Client.GetGrain<IThreadGrain>(threadId);
            first = (await thread.SendAsync(Pcp, new SendMessage("c-1", "Message 1"))).Value!;
            for (var i = 2; i <= 100; i++)
            {
                Assert.True((await thread.SendAsync(Pcp, new SendMessage($"c-{i}", $"Message {i}"))).Ok);
            }

            // 31 days on, two more pages: the three pages wholly older than 30 days go (seq 1-96); page 4 holds newer ones.
            clock.Advance(TimeSpan.FromDays(31));
            for (var i = 101; i <= 164; i++)
            {
                Assert.True((await thread.SendAsync(Pcp, new SendMessage($"c-{i}", $"Message {i}"))).Ok);
            }

            await Huddle.Testing.Eventually.Until(
                async () => await thread.ReadSinceAsync(IThreadGrain.Feed, 0) is { Reset: false, Changes: [var marker, ..] }
                    && ((ThreadChange)marker.For(FeedAudiences.Members)!).RemovedThrough == 96,
                TimeSpan.FromSeconds(60),
                "the retention to remove the three old pages");
            var store = cluster.Silos[0].ServiceProvider.GetRequiredService<IGrainHistoryStore>();
            var grainId = GrainId.Create("thread", threadId);
            // Full pages are written off the sends' path (page 4's after message 160), so both are waited for:
            // the old pages' rows gone, pages 3 and 4 stored.
            await Huddle.Testing.Eventually.Until(
                async () => (await store.ReadPagesAsync<MessagePage>(grainId, "messages").ToListAsync()).Select(p => p.Number).SequenceEqual([3L, 4L]),
                TimeSpan.FromSeconds(60),
                "the old pages' rows to be deleted and pages 3 and 4 stored");
        }

        await using (var cluster = await HuddleTestCluster.StartAsync(serviceId, settings, UseClock))
        {
            var thread = cluster.Client.GetGrain<IThreadGrain>(threadId);
            var read = await thread.ReadSinceAsync(IThreadGrain.Feed, 10, FeedPosition.AnyEpoch, 1000);
            Assert.False(read.Reset);
            var changes = read.Changes.Select(c => (ThreadChange)c.For(FeedAudiences.Members)!).ToList();
            Assert.Equal((96L, (TimeSpan?)TimeSpan.FromDays(30)), (changes[0].RemovedThrough, changes[0].Retention));
            Assert.Equal(Enumerable.Range(97, 68).Select(i => $"Message {i}"), changes.Skip(1).Select(c => c.Message!.Text));
            // A removed message's client id still answers its first reply: never stored twice.
            Assert.Equal(first, (await thread.SendAsync(Pcp, new SendMessage("c-1", "Message 1"))).Value);
            Assert.Equal(ErrorCodes.OpIdReused, (await thread.SendAsync(Pcp, new SendMessage("c-1", "Other"))).Error?.Code);
        }
    }
}
