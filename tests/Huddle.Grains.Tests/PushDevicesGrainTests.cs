using System.Buffers.Text;
using System.Collections.Immutable;
using System.Security.Cryptography;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Handoffs;
using Huddle.Contracts.Patients;
using Huddle.Contracts.Presence;
using Huddle.Contracts.Push;
using Huddle.Contracts.Users;
using Huddle.Grains.Push;
using Huddle.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Huddle.Grains.Tests;

/// <summary>A clinician's push devices: each ping reaches each device once, through failed tells, failed tries and a push service that says "gone".</summary>
[Collection(ClusterCollection.Name)]
public sealed class PushDevicesGrainTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static Task UntilAsync(Func<bool> condition, string what) => Eventually.Until(() => Task.FromResult(condition()), Wait, what);

    private static PushSubscriptionInput Device(string deviceId)
    {
        using var key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var q = key.ExportParameters(false).Q;
        return new PushSubscriptionInput(deviceId, $"https://push.test/{Guid.NewGuid():N}",
            new PushKeys(Base64Url.EncodeToString([0x04, .. q.X!, .. q.Y!]), Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16))));
    }

    private PushNotice Notice(string tag) =>
        new($"n-{Guid.NewGuid():N}", "handoff", "Urgent warm handoff — Exam 3 — open Huddle", tag, "/handoffs/h-1", PushUrgency.High,
            fixture.Clock.GetUtcNow().AddMinutes(5), ImmutableDictionary<string, string>.Empty, false, true);

    private async Task<(string UserId, IPushDevicesGrain Grain, PushSubscriptionInput[] Devices)> ClinicianAsync(int devices)
    {
        var userId = $"u-push-{Guid.NewGuid():N}"[..20];
        var grain = fixture.Grains.GetGrain<IPushDevicesGrain>(userId);
        var inputs = Enumerable.Range(1, devices).Select(i => Device($"dev-{i}")).ToArray();
        foreach (var input in inputs)
        {
            Assert.True((await grain.SubscribeAsync(input)).Ok);
        }

        return (userId, grain, inputs);
    }

    [Fact]
    public async Task A_notice_told_twice_reaches_each_device_once()
    {
        var (_, grain, devices) = await ClinicianAsync(2);
        var first = Notice("handoff-a");
        await grain.NotifyAsync(first);
        await UntilAsync(() => devices.All(d => fixture.Pushes.Delivered(d.Endpoint, first.NoticeId) == 1), "the notice on both devices");

        // Told again (a retried tell), then a second notice: when the second has arrived, the first came once.
        await grain.NotifyAsync(first);
        var second = Notice("handoff-b");
        await grain.NotifyAsync(second);
        await UntilAsync(() => devices.All(d => fixture.Pushes.Delivered(d.Endpoint, second.NoticeId) == 1), "the second notice on both devices");
        Assert.All(devices, d => Assert.Equal(1, fixture.Pushes.Delivered(d.Endpoint, first.NoticeId)));
    }

    [Fact]
    public async Task A_gone_device_is_removed_and_a_failing_one_is_tried_again_by_the_reminder_until_it_takes_the_notice()
    {
        var (_, grain, devices) = await ClinicianAsync(2);
        fixture.Pushes.Answer(devices[0].Endpoint, PushSendOutcome.Gone);
        // Three failed tries (the dispatcher's bound), then the next (the reminder's) is taken.
        fixture.Pushes.Answer(devices[1].Endpoint, PushSendOutcome.Failed, PushSendOutcome.Failed, PushSendOutcome.Failed);
        var notice = Notice("handoff-c");
        await grain.NotifyAsync(notice);

        await UntilAsync(() => fixture.Pushes.Tries.Count(t => t.Endpoint == devices[1].Endpoint) == 3, "three tries of the failing device");
        await Eventually.Until(async () => (await grain.ListAsync()).Devices is [{ DeviceId: "dev-2", LastError: not null }], Wait, "the gone device removed, the failing one marked");
        Assert.Equal(0, fixture.Pushes.Delivered(devices[1].Endpoint, notice.NoticeId));

        // The reminder's tick (called here rather than waited a minute for) hands the pending notice over again.
        await grain.AsReference<IRemindable>().ReceiveReminder("push", default);
        await UntilAsync(() => fixture.Pushes.Delivered(devices[1].Endpoint, notice.NoticeId) == 1, "the notice taken at the reminder's try");
        await Eventually.Until(async () => (await grain.ListAsync()).Devices is [{ LastError: null, LastSentAt: not null }], Wait, "the device's error cleared");
        Assert.Single(fixture.Pushes.Tries, t => t.Endpoint == devices[0].Endpoint);
    }

    [Fact]
    public async Task A_pending_notice_survives_a_deactivation()
    {
        var (_, grain, devices) = await ClinicianAsync(1);
        fixture.Pushes.Answer(devices[0].Endpoint, PushSendOutcome.Failed, PushSendOutcome.Failed, PushSendOutcome.Failed);
        var notice = Notice("handoff-d");
        await grain.NotifyAsync(notice);
        await UntilAsync(() => fixture.Pushes.Tries.Count(t => t.Endpoint == devices[0].Endpoint) == 3, "three failed tries");
        await Eventually.Until(async () => (await grain.ListAsync()).Devices is [{ LastError: not null }], Wait, "the failure reported back");

        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        await grain.AsReference<IRemindable>().ReceiveReminder("push", default);
        await UntilAsync(() => fixture.Pushes.Delivered(devices[0].Endpoint, notice.NoticeId) == 1, "the stored notice sent by the new activation");
    }

    [Fact]
    public async Task A_notice_whose_reminder_failed_to_register_gets_it_on_the_retried_tell()
    {
        var (_, grain, devices) = await ClinicianAsync(1);
        fixture.Pushes.Answer(devices[0].Endpoint, PushSendOutcome.Failed, PushSendOutcome.Failed, PushSendOutcome.Failed);
        var notice = Notice("handoff-r");
        Faults.FailReminderRegistrations(grain.GetGrainId(), 1);
        await Assert.ThrowsAnyAsync<Exception>(() => grain.NotifyAsync(notice));
        Assert.False(await HasReminderAsync(grain));

        // The caller (a handoff's outbox) tells it again: stored already, so only the reminder is made sure of.
        await grain.NotifyAsync(notice);
        Assert.True(await HasReminderAsync(grain));
        await UntilAsync(() => fixture.Pushes.Tries.Count(t => t.Endpoint == devices[0].Endpoint) == 3, "three failed tries");
        // The tries' outcome reported back (until then the notice counts as on its way, and a tick leaves it be).
        await Eventually.Until(async () => (await grain.ListAsync()).Devices is [{ LastError: not null }], Wait, "the failed tries reported");
        await grain.AsReference<IRemindable>().ReceiveReminder("push", default);
        await UntilAsync(() => fixture.Pushes.Delivered(devices[0].Endpoint, notice.NoticeId) == 1, "the notice at the reminder's try");
        await Eventually.Until(async () => !await HasReminderAsync(grain), Wait, "the reminder removed once nothing is pending");
    }

    [Fact]
    public async Task A_reminder_that_failed_to_register_is_registered_again_even_if_nobody_calls_again()
    {
        var (_, grain, devices) = await ClinicianAsync(1);
        fixture.Pushes.Answer(devices[0].Endpoint, PushSendOutcome.Failed, PushSendOutcome.Failed, PushSendOutcome.Failed);
        Faults.FailReminderRegistrations(grain.GetGrainId(), 1);
        await Assert.ThrowsAnyAsync<Exception>(() => grain.NotifyAsync(Notice("handoff-k")));

        // No retried tell: the grain's own timer registers the reminder that carries the stored notice.
        await Eventually.Until(() => HasReminderAsync(grain), TimeSpan.FromSeconds(30), "the reminder registered by the grain's retry timer");
    }

    private async Task<bool> HasReminderAsync(IPushDevicesGrain grain) =>
        (await fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<IReminderTable>().ReadRows(grain.GetGrainId())).Reminders.Any(r => r.ReminderName == "push");

    [Fact]
    public async Task A_clinician_on_do_not_disturb_is_pushed_nothing()
    {
        var (userId, grain, devices) = await ClinicianAsync(1);
        await fixture.Grains.GetGrain<IPresenceGrain>(userId).ConnectAsync("c-1");
        Assert.True((await fixture.Grains.GetGrain<IPresenceGrain>(userId).SetStatusAsync(PresenceStatus.DoNotDisturb)).Ok);
        var quiet = Notice("handoff-e");
        await grain.NotifyAsync(quiet);
        Assert.True((await fixture.Grains.GetGrain<IPresenceGrain>(userId).SetStatusAsync(PresenceStatus.Available)).Ok);
        var heard = Notice("handoff-f");
        await grain.NotifyAsync(heard);

        await UntilAsync(() => fixture.Pushes.Delivered(devices[0].Endpoint, heard.NoticeId) == 1, "the notice after do-not-disturb");
        Assert.Equal(0, fixture.Pushes.Tries.Count(t => t.Notice.NoticeId == quiet.NoticeId));
    }

    [Fact]
    public async Task The_row_stays_bounded_however_many_pings_and_devices()
    {
        var (_, grain, _) = await ClinicianAsync(12);
        Assert.Equal(PushLimits.MaxDevices, (await grain.ListAsync()).Devices.Length);
        for (var i = 0; i < 120; i++)
        {
            await grain.NotifyAsync(Notice($"handoff-row-{i}"));
        }

        var bytes = MeasuredGrainStorage.LastWriteBytes[((GrainReference)grain).GrainId];
        Assert.True(bytes < 16_000, $"{bytes} bytes");
    }

    [Fact]
    public async Task Each_escalation_step_pushes_the_clinicians_it_pings_with_a_ttl_until_the_next_step()
    {
        var (teamId, pcp, bhc, patient) = await TeamAsync();
        var backup = $"{bhc}-b";
        await fixture.Grains.GetGrain<ICareTeamGrain>(teamId).SetProfileAsync(new CareTeamProfile(teamId, "Team", CareTeamStatus.Active,
            [new TeamMember(pcp, "Dr. P", CareTeamRole.Pcp), new TeamMember(bhc, "B. One", CareTeamRole.Bhc), new TeamMember(backup, "B. Up", CareTeamRole.ConsultingPsychiatrist)], [], "UTC"));
        await fixture.Grains.GetGrain<IUserGrain>(backup).SetAsync(new UserProfile(backup, backup, UserKind.Clinician, null, [teamId]));
        await fixture.Grains.GetGrain<IPresenceGrain>(backup).ConnectAsync($"c-{backup}");
        var policy = await fixture.Grains.GetGrain<ITeamHandoffsGrain>(teamId).GetPolicyAsync();
        Assert.True((await fixture.Grains.GetGrain<ITeamHandoffsGrain>(teamId).SetPolicyAsync(pcp, policy with { Backup1 = backup })).Ok);
        var (first, second) = (Device("bhc-phone"), Device("backup-phone"));
        Assert.True((await fixture.Grains.GetGrain<IPushDevicesGrain>(bhc).SubscribeAsync(first)).Ok);
        Assert.True((await fixture.Grains.GetGrain<IPushDevicesGrain>(backup).SubscribeAsync(second)).Ok);

        var grain = fixture.Grains.GetGrain<IHandoffGrain>($"h-{Guid.NewGuid():N}");
        var requested = await grain.RequestAsync(pcp, new RequestHandoff(teamId, patient, "Exam 3", new HandoffTarget(UserId: bhc), HandoffPriority.Urgent, new Sbar("PHQ-9 of 18 today")));
        Assert.True(requested.Ok, requested.Error?.Message);
        await UntilAsync(() => fixture.Pushes.DeliveredTo(first.Endpoint) == 1, "the target's push");
        var ping = fixture.Pushes.Tries.Single(t => t.Endpoint == first.Endpoint).Notice;
        var step = ping.Until - fixture.Clock.GetUtcNow();
        Assert.Equal(TimeSpan.FromSeconds(EscalationPolicy.Default.UrgentSeconds), step);

        // Nobody answers: at the step's deadline the backup is pinged, and pushed.
        fixture.Clock.Advance(step + TimeSpan.FromSeconds(1));
        await UntilAsync(() => fixture.Pushes.DeliveredTo(second.Endpoint) == 1, "the backup's push at the next step");
        Assert.Equal(1, fixture.Pushes.DeliveredTo(first.Endpoint));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_team_may_let_a_stat_handoff_reach_an_offline_consultant_through_their_phone(bool policyOn)
    {
        var (teamId, pcp, bhc, patient) = await TeamAsync();
        Assert.Equal(PresenceStatus.Offline, (await fixture.Grains.GetGrain<IPresenceGrain>(bhc).DisconnectAsync($"c-{bhc}")).Status);
        var device = Device("locked-phone");
        Assert.True((await fixture.Grains.GetGrain<IPushDevicesGrain>(bhc).SubscribeAsync(device)).Ok);
        var policy = await fixture.Grains.GetGrain<ITeamHandoffsGrain>(teamId).GetPolicyAsync();
        Assert.True((await fixture.Grains.GetGrain<ITeamHandoffsGrain>(teamId).SetPolicyAsync(pcp, policy with { PushReachesOffline = policyOn })).Ok);

        var requested = await fixture.Grains.GetGrain<IHandoffGrain>($"h-{Guid.NewGuid():N}").RequestAsync(pcp,
            new RequestHandoff(teamId, patient, "Exam 3", new HandoffTarget(Role: CareTeamRole.Bhc), HandoffPriority.Stat, new Sbar("PHQ-9 of 18 today")));
        Assert.True(requested.Ok, requested.Error?.Message);
        if (policyOn)
        {
            Assert.Equal("pinged", requested.Value!.BusinessStatus);
            await UntilAsync(() => fixture.Pushes.DeliveredTo(device.Endpoint) == 1, "the offline consultant's push");
        }
        else
        {
            // Nobody reachable: the step is skipped, and nothing is owed to the phone (the handoff's row says whom it pinged).
            Assert.NotEqual("pinged", requested.Value!.BusinessStatus);
            Assert.Equal(0, fixture.Pushes.Tries.Count(t => t.Endpoint == device.Endpoint));
        }
    }

    private async Task<(string TeamId, string Pcp, string Bhc, string Patient)> TeamAsync()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var (teamId, pcp, bhc, patient) = ($"team-p{suffix}", $"u-pcp-p{suffix}", $"u-bhc-p{suffix}", $"p-p{suffix}");
        await fixture.Grains.GetGrain<ICareTeamGrain>(teamId).SetProfileAsync(new CareTeamProfile(teamId, "Team", CareTeamStatus.Active,
            [new TeamMember(pcp, "Dr. P", CareTeamRole.Pcp), new TeamMember(bhc, "B. One", CareTeamRole.Bhc)], [], "UTC"));
        await fixture.Grains.GetGrain<IPatientGrain>(patient).SetAsync(new PatientProfile(patient, "Rosa Delgado", "R.D.", "Exam 3", [], [teamId]));
        foreach (var user in new[] { pcp, bhc })
        {
            await fixture.Grains.GetGrain<IUserGrain>(user).SetAsync(new UserProfile(user, user, UserKind.Clinician, null, [teamId]));
            await fixture.Grains.GetGrain<IPresenceGrain>(user).ConnectAsync($"c-{user}");
        }

        return (teamId, pcp, bhc, patient);
    }

    [Fact]
    public async Task A_ping_whose_push_tell_fails_is_still_pushed_to_the_pinged_clinician()
    {
        var (teamId, pcp, bhc, patient) = await TeamAsync();
        var device = Device("phone");
        Assert.True((await fixture.Grains.GetGrain<IPushDevicesGrain>(bhc).SubscribeAsync(device)).Ok);
        Faults.FailCalls(nameof(IPushDevicesGrain.NotifyAsync), bhc, 2);
        var requested = await fixture.Grains.GetGrain<IHandoffGrain>($"h-{Guid.NewGuid():N}").RequestAsync(pcp,
            new RequestHandoff(teamId, patient, "Exam 3", new HandoffTarget(UserId: bhc), HandoffPriority.Stat, new Sbar("PHQ-9 of 18 today")));
        Assert.True(requested.Ok, requested.Error?.Message);

        await UntilAsync(() => fixture.Pushes.DeliveredTo(device.Endpoint) == 1, "the push after two failed tells");
        var sent = fixture.Pushes.Tries.Single(t => t.Endpoint == device.Endpoint).Notice;
        Assert.Equal("STAT warm handoff — Exam 3 — open Huddle", sent.Body);
        Assert.True(sent.RequireInteraction);
        Assert.DoesNotContain("Rosa", sent.Body, StringComparison.Ordinal);
    }
}
