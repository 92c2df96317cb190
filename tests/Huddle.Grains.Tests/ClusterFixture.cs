using Huddle.Silo.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;
using Huddle.Contracts.Common;
using Huddle.Grains.Presence;
using Huddle.Contracts.Presence;
using System.Collections.Concurrent;
using Huddle.Grains.Common;
using Orleans.Storage;

namespace Huddle.Grains.Tests;

/// <summary>One in-process Orleans cluster for the grain tests, with a clock the tests move.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    /// <summary>How long handoff outcomes are kept here (<c>Huddle:Handoffs:OutcomeRetention</c>).</summary>
    public static readonly TimeSpan OutcomeRetention = TimeSpan.FromDays(60);

    /// <summary>
    /// How long an owner waits for hosts to send its hints (<c>Huddle:Feeds:HintWait</c>): long enough that a
    /// test can see the owner still holding its writes for a host that has not answered, on a busy machine.
    /// </summary>
    public static readonly TimeSpan HintWait = TimeSpan.FromSeconds(3);

    /// <summary>The silo's clock: 14:00 UTC on 24 Nov 2026 until a test advances it.</summary>
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 24, 14, 0, 0, TimeSpan.Zero));

    /// <summary>How long a silent connection counts: long, because tests move the clock minutes at a time.</summary>
    public TimeSpan OfflineAfter { get; } = TimeSpan.FromDays(1);

    /// <summary>How many times each clinician's presence grain was asked for their presence (<c>GetAsync</c>), by user id.</summary>
    public static ConcurrentDictionary<string, int> PresenceReads { get; } = new(StringComparer.Ordinal);

    /// <summary>The silo's chat options: no retention unless a test sets one for its own run (the collection's tests run one at a time).</summary>
    public Huddle.Grains.Chat.ChatOptions Chat { get; } = new();

    /// <summary>What the silo's push sends reached, and what each endpoint answers.</summary>
    public RecordingPushSender Pushes { get; } = new();

    public InProcessTestCluster Cluster { get; private set; } = default!;

    public IGrainFactory Grains => Cluster.Client;

    /// <summary>Takes <paramref name="userId"/> off team <paramref name="teamId"/>, as an administrator does.</summary>
    public async Task TakeOffTeamAsync(string teamId, string userId)
    {
        var team = Grains.GetGrain<Huddle.Contracts.CareTeams.ICareTeamGrain>(teamId);
        var profile = (await team.GetProfileAsync())!;
        await team.SetProfileAsync(profile with { Members = profile.Members.RemoveAll(m => m.UserId == userId) });
    }

    public async ValueTask InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder();
        builder.ConfigureSilo((_, silo) =>
        {
            // The silo's own storage wiring: in-memory state and history pages.
            silo.AddHuddleStorage(new ConfigurationBuilder().Build());
            // The same memory storage, measured: tests check how big a row gets and that reads do not write.
            silo.Services.AddKeyedSingleton<IGrainStorage>(StorageNames.Huddle, (sp, name) =>
                new MeasuredGrainStorage(MemoryGrainStorageFactory.Create(sp, (string)name!), sp.GetRequiredService<IGrainStorageSerializer>()));
            // History pages as the silo stores them, counted: tests check how many reads an open takes.
            silo.Services.AddSingleton<IGrainHistoryStore>(sp => new MeasuredHistoryStore(sp.GetRequiredKeyedService<IGrainHistoryStore>(StorageNames.Huddle)));
            Faults.WrapReminderTable(silo.Services);
            silo.Services.AddSingleton(new HuddleClock(Clock));
            // Pings pushed to devices: sent to a recording push service instead of the network.
            silo.Services.AddSingleton<Huddle.Grains.Push.IPushSender>(Pushes);
            silo.Services.AddSingleton<Huddle.Grains.Push.PushHealth>();
            silo.Services.AddSingleton<Huddle.Grains.Push.PushDispatcher>();
            silo.Services.Configure<Huddle.Grains.Push.PushOptions>(o => o.RetryFirst = TimeSpan.FromMilliseconds(10));
            silo.Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(Chat));
            // Handoff escalation runs on that clock, and tests move it minutes at a time: connections
            // must not expire meanwhile (expiry itself is a domain test).
            silo.Services.Configure<PresenceOptions>(o => o.OfflineAfter = OfflineAfter);
            silo.Services.Configure<Huddle.Grains.Handoffs.HandoffOptions>(o => o.OutcomeRetention = OutcomeRetention);
            silo.Services.Configure<Huddle.Grains.Live.FeedOptions>(o => o.HintWait = HintWait);
            // As a co-hosted silo has it; empty unless a test puts a host in it.
            silo.Services.AddSingleton<Huddle.Grains.Live.LocalFeedHosts>();
            silo.AddIncomingGrainCallFilter(async context =>
            {
                if (context.InterfaceMethod?.DeclaringType == typeof(IPresenceGrain) && context.InterfaceMethod.Name == nameof(IPresenceGrain.GetAsync))
                {
                    PresenceReads.AddOrUpdate(context.TargetId.Key.ToString()!, 1, (_, n) => n + 1);
                }

                if (context.InterfaceMethod is { } method)
                {
                    Faults.OnCall(method.Name, context.TargetId.Key.ToString()!);
                    await Faults.GateAsync(method.Name, context.TargetId.Key.ToString()!);
                    if (Faults.NullFor(method.Name, context.TargetId.Key.ToString()!))
                    {
                        context.Result = null;
                        return;
                    }
                }

                await context.Invoke();
                if (context.InterfaceMethod is { } done)
                {
                    // The call did its work; only its reply is lost (the caller cannot tell the difference).
                    Faults.OnReply(done.Name, context.TargetId.Key.ToString()!);
                }
            });
            // A reply held at the calling grain (Faults.HoldReply): the callee is free meanwhile.
            silo.AddOutgoingGrainCallFilter(async context =>
            {
                await context.Invoke();
                if (Faults.RepliesHeld && context.InterfaceMethod is { } method)
                {
                    await Faults.ReplyGateAsync($"{method.DeclaringType?.Name}.{method.Name}", context.TargetId.Key.ToString()!);
                }
            });
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = nameof(ClusterCollection);
}
