using System.Collections.Immutable;
using Huddle.Contracts.Boards;
using Huddle.Contracts.Common;
using Huddle.Contracts.Live;

namespace Huddle.Contracts.CareTeams;

/// <summary>
/// One grain per care team (key: opaque team id). Holds the roster and today's huddle board, applies
/// every change through the board rules, persists it and publishes it on the team's board feed
/// (<c>board:{teamId}</c>, see <see cref="IFeedGrain"/>). Every call names the acting user; the grain
/// checks membership on each one. Reads (these marked <c>[AlwaysInterleave]</c>, and the feed's open,
/// catch-up and subscription) interleave with writes and never write: a roster or access read, the
/// ping's routing among them, never waits behind a board write.
/// </summary>
public interface ICareTeamGrain : IFeedGrain
{
    /// <summary>The feed kind of a team's board.</summary>
    const string BoardFeed = "board";

    /// <summary>
    /// Creates or replaces the team's profile and roster (directory sync, demo seeding). Watchers are
    /// told at once, so people who left the roster stop receiving the board.
    /// </summary>
    Task SetProfileAsync(CareTeamProfile profile);

    /// <summary>
    /// An administrator's change of the team (<paramref name="actorId"/> must be a user of kind
    /// administrator, checked at this call): its settings, a clinician on or off the roster or a role
    /// changed, a room display added or removed. Stored and applied like <see cref="SetProfileAsync"/>:
    /// someone taken off stops receiving the team's feeds and its patients' at once, on every host.
    /// Returns the profile as stored; bad input changes nothing.
    /// </summary>
    Task<Result<CareTeamProfile>> AdministerAsync(string actorId, TeamAdminCommand command);

    /// <summary>
    /// Creates the team with <paramref name="profile"/> unless it already exists. Returns true for
    /// the one caller that created it, so concurrent seeders on several silos cannot both seed it.
    /// </summary>
    Task<bool> TryCreateAsync(CareTeamProfile profile);

    /// <summary>The team's profile, or null when the team does not exist.</summary>
    [AlwaysInterleave]
    Task<CareTeamProfile?> GetProfileAsync();

    /// <summary>What <paramref name="userId"/> may do on this team (none for an unknown team).</summary>
    [AlwaysInterleave]
    [Audit.NotAudited("A membership check: answers an access level, nothing of the team's patients; the call it guards is audited.")]
    Task<TeamAccess> GetAccessAsync(string userId);

    /// <summary>Today's board as <paramref name="userId"/> may see it (redacted for a room display).</summary>
    [AlwaysInterleave]
    Task<Result<BoardSnapshot>> GetBoardAsync(string userId);

    /// <summary>
    /// The boards of past days from <paramref name="from"/> to <paramref name="to"/> (inclusive, at
    /// most 31 days), as they stood when each day ended: session, attendance, summary, notes, cards
    /// and action items. Members only.
    /// </summary>
    [AlwaysInterleave]
    Task<Result<ImmutableArray<HuddleBoard>>> GetHistoryAsync(string userId, DateOnly from, DateOnly to);

    /// <summary>
    /// Applies <paramref name="command"/> on behalf of <paramref name="actorId"/>. A command with an
    /// <see cref="BoardCommand.OpId"/> already applied for this actor inside the idempotency window
    /// returns the first result and changes nothing.
    /// </summary>
    Task<Result<CommandOutcome>> ExecuteAsync(string actorId, BoardCommand command);

    /// <summary>
    /// Turns the board to the team's new day when the day has changed (yesterday's board goes to its
    /// history page; watchers get a <c>newDay</c> reset); nothing otherwise. The grain's own timer calls
    /// it at the team's local midnight; a write rolls the day over first too. Idempotent.
    /// </summary>
    Task RollOverAsync();

    /// <summary>
    /// The patient's grain tells the registry's flags (scores, prompts, safety) for the patient's card:
    /// the card's registry kinds are replaced and watchers get the change (op <c>registryFlags</c>). A
    /// patient with a safety flag and no card gets one in the first lane, so the team cannot miss it.
    /// Idempotent: flags already shown change nothing.
    /// </summary>
    Task SyncRegistryFlagsAsync(string patientId, ImmutableArray<CardFlag> flags);
}
