using Azure.Core;
using Huddle.Storage.Tests.Infrastructure;

namespace Huddle.Storage.Tests;

/// <summary>
/// A write that committed but whose reply was lost is retried by the SDK and meets its own row
/// (412 for a replace, 409 for an insert). The per-write id tells that apart from a real conflict.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AmbiguousWriteTests(AzuriteFixture azurite)
{
    private const string StateName = "notes";

    [Fact]
    public async Task A_replace_whose_reply_was_lost_succeeds_with_the_stored_etag()
    {
        var lossy = new LostReplyPolicy();
        var options = TestStorage.Options(azurite.Server, o => Lossy(o, lossy));
        var storage = TestStorage.Create(options);
        await storage.InitializeAsync(TestContext.Current.CancellationToken);
        var grain = TestStorage.NewGrainId();
        var state = new TestGrainState<NoteState>(new NoteState { Text = "v1" });
        await storage.WriteStateAsync(StateName, grain, state);

        lossy.LoseNextReplyTo(RequestMethod.Put);
        state.State.Text = "v2";
        await storage.WriteStateAsync(StateName, grain, state);

        // The first PUT committed (204), the SDK's retry met the moved ETag (412).
        Assert.Equal([("PUT", 204), ("PUT", 412)], lossy.Seen.Where(s => s.Method == "PUT"));
        var read = new TestGrainState<NoteState>();
        await TestStorage.Create(options).ReadStateAsync(StateName, grain, read);
        Assert.Equal("v2", read.State.Text);
        Assert.Equal(read.ETag, state.ETag);

        // The ETag the grain holds is the live one: the next write goes through.
        state.State.Text = "v3";
        await storage.WriteStateAsync(StateName, grain, state);
    }

    [Fact]
    public async Task An_insert_whose_reply_was_lost_succeeds_with_the_stored_etag()
    {
        var lossy = new LostReplyPolicy();
        var options = TestStorage.Options(azurite.Server, o => Lossy(o, lossy));
        var storage = TestStorage.Create(options);
        await storage.InitializeAsync(TestContext.Current.CancellationToken);
        var grain = TestStorage.NewGrainId();

        lossy.LoseNextReplyTo(RequestMethod.Post);
        var state = new TestGrainState<NoteState>(new NoteState { Text = "first" });
        await storage.WriteStateAsync(StateName, grain, state);

        // The first POST committed (201 or 204), the SDK's retry met the row it had made (409).
        var posts = lossy.Seen.Where(s => s.Method == "POST").Select(s => s.Status).ToArray();
        Assert.Equal(2, posts.Length);
        Assert.InRange(posts[0], 200, 299);
        Assert.Equal(409, posts[1]);
        var read = new TestGrainState<NoteState>();
        await TestStorage.Create(options).ReadStateAsync(StateName, grain, read);
        Assert.True(state.RecordExists);
        Assert.Equal("first", read.State.Text);
        Assert.Equal(read.ETag, state.ETag);
    }

    private static void Lossy(Huddle.Silo.Storage.HuddleTableStorageOptions options, LostReplyPolicy policy)
    {
        options.RetryDelay = TimeSpan.FromMilliseconds(20);
        options.ConfigureClient = client => client.AddPolicy(policy, Azure.Core.HttpPipelinePosition.PerRetry);
    }
}
