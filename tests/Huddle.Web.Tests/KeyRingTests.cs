using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Azure.Storage.Blobs;
using Huddle.Testing;
using Huddle.Web.Auth;
using Huddle.Web.Http;
using Microsoft.Extensions.Configuration;

namespace Huddle.Web.Tests;

/// <summary>
/// The data-protection key ring in the deployment's storage (docs/operations.md, "Two or more hosts";
/// docs/security.md): a sign-in sealed by one web host opens on another and after that host restarts,
/// with the ring in one blob of Azurite's blob service; a host with a ring of its own refuses it (the
/// control that shows the test can fail).
/// </summary>
public sealed class KeyRingTests : IAsyncLifetime
{
    private const string Container = "huddle-keys";
    private AzuriteServer _azurite = default!;

    public async ValueTask InitializeAsync() => _azurite = await AzuriteServer.StartAsync(blobs: true);

    public async ValueTask DisposeAsync() => await _azurite.DisposeAsync();

    private async Task<HuddleClusterMemberApp> HostAsync(bool sharedRing)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Huddle:Orleans:SiloPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Huddle:Orleans:GatewayPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Huddle:Orleans:ClusterId"] = $"test-{Guid.NewGuid():N}",
        };
        if (sharedRing)
        {
            settings["ConnectionStrings:HuddleStorage"] = _azurite.ConnectionString;
            settings["Huddle:DataProtection:BlobContainer"] = Container;
        }

        var app = new HuddleClusterMemberApp(settings);
        await app.InitializeAsync();
        // The same clinician on each host's own (in-memory) cluster: only the key ring is shared.
        using var dev = app.Http();
        (await dev.PutAsJsonAsync("api/dev/teams/team-ring", new DevTeamRequest("Ring team", [new("u-ring", "Dr. Ring", Contracts.CareTeams.CareTeamRole.Pcp)]), HuddleJson.Options)).EnsureSuccessStatusCode();
        return app;
    }

    private static async Task<HttpStatusCode> MeAsync(HuddleAppFixture app, string token)
    {
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var answer = await http.GetAsync("api/me");
        return answer.StatusCode;
    }

    [Fact]
    public async Task A_sign_in_sealed_by_one_host_opens_on_another_and_after_a_restart_and_not_on_a_host_with_its_own_ring()
    {
        var first = await HostAsync(sharedRing: true);
        await using var second = await HostAsync(sharedRing: true);
        await using var alone = await HostAsync(sharedRing: false);
        var token = await first.TokenAsync("u-ring");

        Assert.Equal(HttpStatusCode.OK, await MeAsync(first, token));
        Assert.Equal(HttpStatusCode.OK, await MeAsync(second, token));
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(alone, token));

        // The first host goes away and comes back: its ring was never only its own.
        await first.DisposeAsync();
        await using var restarted = await HostAsync(sharedRing: true);
        Assert.Equal(HttpStatusCode.OK, await MeAsync(restarted, token));
        Assert.Equal(HttpStatusCode.OK, await MeAsync(second, await restarted.TokenAsync("u-ring")));

        // One ring, one key, in the blob: the hosts that started after the first read it, none made its own.
        var blob = new BlobContainerClient(_azurite.ConnectionString, Container).GetBlobClient("keys.xml");
        using var stored = (await blob.DownloadContentAsync()).Value.Content.ToStream();
        var ring = System.Xml.Linq.XDocument.Load(stored);
        Assert.Single(ring.Root!.Elements("key"));
    }

    [Fact]
    public void A_blob_container_without_a_storage_account_or_beside_a_keys_folder_stops_the_start()
    {
        foreach (var (settings, words) in new (Dictionary<string, string?>, string)[]
        {
            (new() { ["Huddle:DataProtection:BlobContainer"] = Container }, "ConnectionStrings:HuddleStorage"),
            (new() { ["Huddle:DataProtection:BlobContainer"] = Container, ["ConnectionStrings:HuddleStorage"] = _azurite.ConnectionString, ["Huddle:DataProtection:KeysPath"] = Path.GetTempPath() }, "not both"),
        })
        {
            var failure = Assert.ThrowsAny<InvalidOperationException>(() => Huddle.Web.HuddleApp.Build(["--environment", "Development"], b =>
                b.Configuration.AddInMemoryCollection(settings)));
            Assert.Contains(words, failure.Message, StringComparison.Ordinal);
        }
    }
}
