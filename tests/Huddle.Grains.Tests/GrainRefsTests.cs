using Huddle.Contracts.Audit;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Chat;
using Huddle.Contracts.Common;
using Huddle.Contracts.Handoffs;
using Microsoft.Extensions.DependencyInjection;

namespace Huddle.Grains.Tests;

/// <summary>
/// <see cref="GrainRefs.Grain{T}"/> builds, from the types it read once, the very reference Orleans'
/// GetGrain builds by reflection each time: same grain id, same interface, calls reach the same grain.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class GrainRefsTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_reference_by_key_is_the_one_Orleans_builds_from_the_client_and_inside_a_silo_first_call_and_later()
    {
        var silo = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<IGrainFactory>();
        foreach (var grains in new[] { fixture.Grains, silo })
        {
            for (var i = 0; i < 3; i++)
            {
                var key = $"t-refs-{Guid.NewGuid():N}"[..24];
                Same(grains.GetGrain<ICareTeamGrain>(key), grains.Grain<ICareTeamGrain>(key));
                Same(grains.GetGrain<IThreadGrain>(key), grains.Grain<IThreadGrain>(key));
                Same(grains.GetGrain<IThreadListGrain>(key), grains.Grain<IThreadListGrain>(key));
                Same(grains.GetGrain<IHandoffGrain>(key), grains.Grain<IHandoffGrain>(key));
                Same(grains.GetGrain<IInboxGrain>(key), grains.Grain<IInboxGrain>(key));
                // Two interfaces of one grain class keep their own interface types.
                Same(grains.GetGrain<IDayAuditLogGrain>(key), grains.Grain<IDayAuditLogGrain>(key));
                Same(grains.GetGrain<IPatientAuditLogGrain>(key), grains.Grain<IPatientAuditLogGrain>(key));

                // And the call lands: an unknown team answers as one (no profile), through either reference.
                Assert.Null(await grains.Grain<ICareTeamGrain>(key).GetProfileAsync());
            }
        }
    }

    [Fact]
    public void A_blank_key_is_refused_as_Orleans_refuses_it_before_and_after_the_types_are_known()
    {
        _ = fixture.Grains.Grain<IPanelGrain>("t-refs-known");
        Assert.ThrowsAny<ArgumentException>(() => fixture.Grains.Grain<IPanelGrain>(" "));
        Assert.ThrowsAny<ArgumentException>(() => fixture.Grains.Grain<ITeamDirectoryGrain>(""));
        Assert.ThrowsAny<ArgumentException>(() => fixture.Grains.GetGrain<ITeamDirectoryGrain>(""));
    }

    private static void Same<T>(T expected, T actual)
        where T : IAddressable
    {
        var orleans = Assert.IsAssignableFrom<GrainReference>(expected);
        var ours = Assert.IsAssignableFrom<GrainReference>(actual);
        Assert.Equal(orleans.GrainId, ours.GrainId);
        Assert.Equal(orleans.InterfaceType, ours.InterfaceType);
        Assert.Equal(orleans.GetType(), ours.GetType());
        Assert.Equal(expected, actual);
    }
}
