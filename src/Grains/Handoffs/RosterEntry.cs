using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Presence;

namespace Huddle.Grains.Handoffs;

/// <summary>A team member as routing sees them at one moment: role and merged presence.</summary>
public sealed record RosterEntry(string UserId, CareTeamRole Role, PresenceStatus Status, DateTimeOffset Since);
