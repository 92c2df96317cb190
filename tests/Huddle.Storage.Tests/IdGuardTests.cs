using Huddle.Storage.Tests.Infrastructure;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Patients;
using Huddle.Contracts.Users;

namespace Huddle.Storage.Tests;

/// <summary>
/// Orleans' Azure Table provider replaces <c>/ \ # ?</c> in keys by '_', so "a/b" and "a_b" would
/// share one row. Huddle refuses any grain key that is not an opaque id before the grain
/// activates, for every grain kind, so two ids can never collide.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class IdGuardTests(AzuriteFixture azurite)
{
    public static readonly TheoryData<string> Separators = ["/", "\\", "#", "?"];

    [Theory]
    [MemberData(nameof(Separators))]
    public async Task No_grain_kind_accepts_a_key_that_the_provider_would_fold_onto_another_grains_row(string separator)
    {
        await using var cluster = await HuddleTestCluster.StartAsync("huddle-" + Guid.NewGuid().ToString("N"), HuddleTestCluster.AzureTableConfig(azurite.Server));
        var stem = Guid.NewGuid().ToString("N")[..8];
        var (safe, folded) = ($"t-{stem}_x", $"t-{stem}{separator}x");

        // Care team: the state under the safe id must stay out of reach of the folded one.
        await cluster.Client.GetGrain<ICareTeamGrain>(safe).SetProfileAsync(HuddleTestCluster.Team(safe, "u-pcp"));
        await Assert.ThrowsAsync<ArgumentException>(() => cluster.Client.GetGrain<ICareTeamGrain>(folded).GetProfileAsync());

        var patient = new PatientProfile(safe, "Canary Patient", "CP", null, [], []);
        await cluster.Client.GetGrain<IPatientGrain>(safe).SetAsync(patient);
        await Assert.ThrowsAsync<ArgumentException>(() => cluster.Client.GetGrain<IPatientGrain>(folded).GetAsync());

        var user = new UserProfile(safe, "Canary User", UserKind.Clinician, CareTeamRole.Nurse, []);
        await cluster.Client.GetGrain<IUserGrain>(safe).SetAsync(user);
        await Assert.ThrowsAsync<ArgumentException>(() => cluster.Client.GetGrain<IUserGrain>(folded).GetAsync());

        Assert.NotNull(await cluster.Client.GetGrain<IPatientGrain>(safe).GetAsync());
    }
}
