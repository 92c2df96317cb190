using Huddle.Contracts.Users;
using Huddle.Grains.Users;

namespace Huddle.Grains.Tests;

/// <summary>A person's browser sign-outs: remembered as long as a signed-out cookie could live, in a bounded row.</summary>
[Collection(ClusterCollection.Name)]
public sealed class BrowserSignOutGrainTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_sign_out_is_remembered_for_a_day_for_that_session_only_and_the_row_keeps_the_latest_64()
    {
        var person = fixture.Grains.GetGrain<IBrowserSignOutGrain>($"u-bso-{Guid.NewGuid():N}"[..20]);
        await person.EndAsync("s-0");
        await person.EndAsync("s-0");
        Assert.True(await person.EndedAsync("s-0"));
        Assert.False(await person.EndedAsync("s-1"));
        Assert.False(await fixture.Grains.GetGrain<IBrowserSignOutGrain>($"u-bso-{Guid.NewGuid():N}"[..20]).EndedAsync("s-0"));

        // Sign-outs of a day: the latest 64 are kept, the oldest goes first.
        for (var i = 1; i <= BrowserSignOutGrain.MaxSessions; i++)
        {
            await person.EndAsync($"s-{i}");
        }

        Assert.False(await person.EndedAsync("s-0"));
        Assert.True(await person.EndedAsync("s-1"));
        Assert.True(await person.EndedAsync($"s-{BrowserSignOutGrain.MaxSessions}"));

        // A day later none of those cookies can be alive: the next sign-out's write drops them.
        fixture.Clock.Advance(BrowserSignOutGrain.Retention + TimeSpan.FromMinutes(1));
        await person.EndAsync("s-late");
        Assert.False(await person.EndedAsync("s-1"));
        Assert.True(await person.EndedAsync("s-late"));
    }
}
