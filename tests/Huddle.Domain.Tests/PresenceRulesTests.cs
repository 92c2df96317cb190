using Huddle.Contracts.Common;
using Huddle.Contracts.Presence;
using Huddle.Grains.Presence;
using Microsoft.Extensions.Time.Testing;

namespace Huddle.Domain.Tests;

public sealed class PresenceRulesTests
{
    private static readonly TimeSpan OfflineAfter = TimeSpan.FromSeconds(60);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 14, 0, 0, TimeSpan.Zero));

    private DateTimeOffset Now => _time.GetUtcNow();

    [Fact]
    public void Someone_never_seen_is_offline_and_the_first_connection_makes_them_available_since_then()
    {
        Assert.Equal(PresenceStatus.Offline, ClinicianPresence.Unknown.Status);
        var online = ClinicianPresence.Unknown.Connect("c1", Now);
        Assert.Equal((PresenceStatus.Available, Now, 1), (online.Status, online.Since, online.Connections.Count));
    }

    [Fact]
    public void A_second_device_keeps_the_since_and_the_last_one_closing_makes_them_offline()
    {
        var first = ClinicianPresence.Unknown.Connect("phone", Now);
        var since = first.Since;
        _time.Advance(TimeSpan.FromMinutes(3));
        var both = first.Connect("laptop", Now);
        Assert.Equal((PresenceStatus.Available, since), (both.Status, both.Since));

        var one = both.Disconnect("phone", Now);
        Assert.Equal((PresenceStatus.Available, since), (one.Status, one.Since));
        var none = one.Disconnect("laptop", Now);
        Assert.Equal((PresenceStatus.Offline, Now), (none.Status, none.Since));
        Assert.Same(none, none.Disconnect("laptop", Now));
    }

    [Fact]
    public void The_view_says_until_when_the_last_heard_connection_keeps_them_online()
    {
        var phone = ClinicianPresence.Unknown.Connect("phone", Now);
        _time.Advance(TimeSpan.FromSeconds(20));
        var both = phone.Connect("laptop", Now);
        Assert.Equal(Now + OfflineAfter, both.View("u1", OfflineAfter).OnlineUntil);

        var none = both.Disconnect("phone", Now).Disconnect("laptop", Now);
        Assert.Null(none.View("u1", OfflineAfter).OnlineUntil);
    }

    [Fact]
    public void A_chosen_status_holds_across_connections_and_while_offline()
    {
        var dnd = ClinicianPresence.Unknown.Connect("phone", Now).Choose(PresenceStatus.DoNotDisturb, Now).Value!;
        Assert.Equal(PresenceStatus.DoNotDisturb, dnd.Status);
        var off = dnd.Disconnect("phone", Now);
        Assert.Equal((PresenceStatus.Offline, PresenceStatus.DoNotDisturb), (off.Status, off.Chosen));
        var back = off.Connect("laptop", Now);
        Assert.Equal(PresenceStatus.DoNotDisturb, back.Status);
        var cleared = back.Choose(PresenceStatus.Available, Now).Value!;
        Assert.Equal((PresenceStatus.Available, (PresenceStatus?)null), (cleared.Status, cleared.Chosen));
    }

    [Fact]
    public void Offline_cannot_be_chosen()
    {
        var online = ClinicianPresence.Unknown.Connect("c1", Now);
        Assert.Equal(ErrorCodes.ValidationFailed, online.Choose(PresenceStatus.Offline, Now).Error?.Code);
        Assert.Equal(ErrorCodes.ValidationFailed, online.Choose((PresenceStatus)42, Now).Error?.Code);
    }

    [Fact]
    public void Missed_heartbeats_for_offline_after_make_a_connection_end()
    {
        var presence = ClinicianPresence.Unknown.Connect("phone", Now).Connect("laptop", Now);
        _time.Advance(TimeSpan.FromSeconds(30));
        presence = presence.Connect("laptop", Now); // the laptop's heartbeat
        Assert.Equal(Now.AddSeconds(30), presence.NextExpiry(OfflineAfter));

        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Same(presence, presence.Expire(Now, OfflineAfter));
        _time.Advance(TimeSpan.FromSeconds(1));
        presence = presence.Expire(Now, OfflineAfter);
        Assert.Equal(["laptop"], presence.Connections.Keys);
        Assert.Equal(PresenceStatus.Available, presence.Status);

        _time.Advance(TimeSpan.FromSeconds(30));
        presence = presence.Expire(Now, OfflineAfter);
        Assert.Equal((PresenceStatus.Offline, Now, (DateTimeOffset?)null), (presence.Status, presence.Since, presence.NextExpiry(OfflineAfter)));
    }
}
