using Huddle.Contracts.Common;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Handoffs;
using Huddle.Contracts.Presence;

namespace Huddle.Grains.Handoffs;

/// <summary>
/// What routing decides with: a team's profile, its escalation policy and each member's presence now.
/// Read by a handoff (routing and escalation) and by a chat message to a role, so both reach the same people.
/// </summary>
public sealed record TeamFacts(CareTeamProfile Profile, EscalationPolicy Policy, IReadOnlyList<RosterEntry> Roster)
{
    /// <summary>
    /// The team's profile, escalation policy and presence roster, asked all at once (one round of calls
    /// to warm grains, whatever the team's size); null when there is no such team. A member the roster
    /// has not heard of yet (just added to the team) is asked directly.
    /// </summary>
    public static async Task<TeamFacts?> ReadAsync(IGrainFactory grains, string teamId)
    {
        ArgumentNullException.ThrowIfNull(grains);
        var profileRead = grains.Grain<ICareTeamGrain>(teamId).GetProfileAsync();
        var policyRead = grains.Grain<ITeamHandoffsGrain>(teamId).GetPolicyAsync();
        var rosterRead = grains.Grain<ITeamPresenceGrain>(teamId).RosterAsync();
        await Task.WhenAll(profileRead, policyRead, rosterRead);
        if (await profileRead is not { } profile)
        {
            return null;
        }

        var known = (await rosterRead).ToDictionary(p => p.UserId, StringComparer.Ordinal);
        var presences = await Task.WhenAll(profile.Members.Select(m => known.TryGetValue(m.UserId, out var p)
            ? Task.FromResult(p)
            : grains.Grain<IPresenceGrain>(m.UserId).GetAsync()));
        var policy = await policyRead;
        // Only when the policy lets pushes reach offline members: whether each offline member has a device (warm, interleaving reads).
        var devices = await Task.WhenAll(profile.Members.Zip(presences, (m, p) => policy.PushReachesOffline && p.Status == PresenceStatus.Offline
            ? HasPushDeviceAsync(grains, m.UserId)
            : Task.FromResult(false)));
        var roster = profile.Members.Select((m, i) => new RosterEntry(m.UserId, m.Role, presences[i].Status, presences[i].Since, devices[i])).ToList();
        return new TeamFacts(profile, policy, roster);
    }

    /// <summary>True when <paramref name="userId"/> has a device that takes pushed pings; false when that cannot be read (routing goes on without them).</summary>
    private static async Task<bool> HasPushDeviceAsync(IGrainFactory grains, string userId)
    {
        try
        {
            return !(await grains.Grain<Contracts.Push.IPushDevicesGrain>(userId).ListAsync()).Devices.IsEmpty;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return false;
        }
    }
}
