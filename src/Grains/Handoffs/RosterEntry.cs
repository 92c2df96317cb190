using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Presence;

namespace Huddle.Grains.Handoffs;

/// <summary>
/// A team member as routing sees them at one moment: role and merged presence, and (read only when the
/// team's policy lets pushes reach offline members) whether they have a device that takes pushed pings.
/// </summary>
public sealed record RosterEntry(string UserId, CareTeamRole Role, PresenceStatus Status, DateTimeOffset Since, bool PushDevice = false);
