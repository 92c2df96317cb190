using Huddle.Contracts.Users;
using Huddle.Grains.Users;

namespace Huddle.Grains.Tests;

/// <summary>A person's browser sign-outs: remembered as long as a signed-out cookie could live, in a bounded row.</summary>
[Collection(ClusterCollection.Name)]
public sealed class BrowserSignOutGrainTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_sign_out_is_remembered_for_a_day_for_that_session_only_and_past_64_the_older_sessions_are_refused_by_time()
    {
        var person = fixture.Grains.GetGrain<IBrowserSignOutGrain>($"u-bso-{Guid.NewGuid():N}"[..20]);
        var morning = fixture.Clock.GetUtcNow();
        await person.EndAsync("s-0");
        await person.EndAsync("s-0");
        Assert.True(await person.EndedAsync("s-0", morning));
        Assert.False(await person.EndedAsync("s-1", morning));
        Assert.False(await fixture.Grains.GetGrain<IBrowserSignOutGrain>($"u-bso-{Guid.NewGuid():N}"[..20]).EndedAsync("s-0", morning));

        // Storage refuses the write: the sign-out fails and is not half kept, so its retry stores it.
        MeasuredGrainStorage.Hold(person.GetGrainId(), () => Task.FromException(new IOException("storage down")));
        await Assert.ThrowsAnyAsync<Exception>(() => person.EndAsync("s-retry"));
        Assert.False(await person.EndedAsync("s-retry", morning));
        MeasuredGrainStorage.Open(person.GetGrainId());
        await person.EndAsync("s-retry");
        Assert.True(await person.EndedAsync("s-retry", morning));

        // 64 more sign-outs in the day: the row keeps the latest 64 ids; the one that left is still refused,
        // with every session of the person begun before its sign-out (the safe side).
        for (var i = 1; i <= BrowserSignOutGrain.MaxSessions; i++)
        {
            fixture.Clock.Advance(TimeSpan.FromSeconds(1));
            await person.EndAsync($"s-{i}");
        }

        Assert.True(await person.EndedAsync("s-0", morning));
        Assert.True(await person.EndedAsync("s-other-device", morning));
        Assert.False(await person.EndedAsync("s-new", fixture.Clock.GetUtcNow()));
        Assert.True(await person.EndedAsync($"s-{BrowserSignOutGrain.MaxSessions}", fixture.Clock.GetUtcNow()));

        // A day later none of those cookies can be alive: the next sign-out's write drops their ids.
        fixture.Clock.Advance(BrowserSignOutGrain.Retention + TimeSpan.FromMinutes(1));
        await person.EndAsync("s-late");
        Assert.False(await person.EndedAsync("s-1", fixture.Clock.GetUtcNow()));
        Assert.True(await person.EndedAsync("s-late", fixture.Clock.GetUtcNow()));
    }
}
