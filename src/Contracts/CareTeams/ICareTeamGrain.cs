using System.Collections.Immutable;
using Huddle.Contracts.Boards;
using Huddle.Contracts.Common;
using Huddle.Contracts.Patients;

namespace Huddle.Contracts.CareTeams;

/// <summary>A board read: the board as the caller may see it, or an error.</summary>
[GenerateSerializer, Immutable, Alias("huddle.board-read")]
public sealed record BoardRead(
    [property: Id(0)] HuddleBoard? Board,
    [property: Id(1)] TeamAccess Access,
    [property: Id(2)] HuddleError? Error);

/// <summary>Past days' boards (oldest first) as a member may read them, or an error.</summary>
[GenerateSerializer, Immutable, Alias("huddle.board-history-read")]
public sealed record BoardHistoryRead(
    [property: Id(0)] ImmutableArray<HuddleBoard> Boards,
    [property: Id(1)] HuddleError? Error);

/// <summary>The team's panel (patients), as a member may read it, or an error.</summary>
[GenerateSerializer, Immutable, Alias("huddle.panel-read")]
public sealed record PanelRead(
    [property: Id(0)] ImmutableArray<Patients.PatientProfile> Patients,
    [property: Id(1)] HuddleError? Error);

/// <summary>The outcome of a board command: the board's version after it, or an error and no change.</summary>
[GenerateSerializer, Immutable, Alias("huddle.command-result")]
public sealed record CommandResult(
    [property: Id(0)] long Version,
    [property: Id(1)] HuddleError? Error)
{
    /// <summary>True when the command was accepted.</summary>
    public bool Ok => Error is null;
}

/// <summary>
/// One change as it goes out: <see cref="Full"/> for members, <see cref="SharedScreen"/> for room
/// displays (privacy-filtered by the grain, which owns the team's privacy setting). When the roster
/// changed, <see cref="Roster"/> carries the new one, so hosts can stop sending to people who lost
/// access before anything else goes out.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.board-notice")]
public sealed record BoardNotice(
    [property: Id(0)] BoardChange Full,
    [property: Id(1)] BoardChange SharedScreen,
    [property: Id(2)] CareTeamProfile? Roster = null);

/// <summary>
/// Receives every accepted change of a team's board. One observer per web host per team; the
/// host fans out to its own SignalR connections and Blazor circuits.
/// </summary>
public interface IBoardObserver : IGrainObserver
{
    /// <summary>A change was accepted. One-way: the grain never waits for a host.</summary>
    [OneWay]
    Task OnBoardChanged(BoardNotice notice);
}

/// <summary>
/// One grain per care team (key: opaque team id). Holds the roster and today's huddle board, applies
/// every change through the board rules, persists it and pushes it to subscribed hosts.
/// Every call names the acting user; the grain checks membership on each one.
/// </summary>
public interface ICareTeamGrain : IGrainWithStringKey
{
    /// <summary>
    /// Creates or replaces the team's profile and roster (directory sync, demo seeding). Subscribed
    /// hosts are told, so people who left the roster stop receiving the board at once.
    /// </summary>
    Task SetProfileAsync(CareTeamProfile profile);

    /// <summary>
    /// Creates the team with <paramref name="profile"/> unless it already exists. Returns true for
    /// the one caller that created it, so concurrent seeders on several silos cannot both seed it.
    /// </summary>
    Task<bool> TryCreateAsync(CareTeamProfile profile);

    /// <summary>Puts a patient on the team's panel (called by the patient's grain). Idempotent.</summary>
    Task AddToPanelAsync(string patientId);

    /// <summary>Takes a patient off the team's panel (called by the patient's grain). Idempotent.</summary>
    Task RemoveFromPanelAsync(string patientId);

    /// <summary>The patients on the team's panel, by name. Members only (room displays and outsiders: forbidden).</summary>
    Task<PanelRead> GetPanelAsync(string userId);

    /// <summary>The team's profile, or null when the team does not exist.</summary>
    Task<CareTeamProfile?> GetProfileAsync();

    /// <summary>What <paramref name="userId"/> may do on this team (none for an unknown team).</summary>
    Task<TeamAccess> GetAccessAsync(string userId);

    /// <summary>Today's board as <paramref name="userId"/> may see it (redacted for a room display).</summary>
    Task<BoardRead> GetBoardAsync(string userId);

    /// <summary>
    /// The boards of past days from <paramref name="from"/> to <paramref name="to"/> (inclusive, at
    /// most 31 days), as they stood when each day ended:
    /// session, attendance, summary, notes, cards and action items. Members only.
    /// </summary>
    Task<BoardHistoryRead> GetHistoryAsync(string userId, DateOnly from, DateOnly to);

    /// <summary>Applies <paramref name="command"/> on behalf of <paramref name="actorId"/>.</summary>
    Task<CommandResult> ExecuteAsync(string actorId, BoardCommand command);

    /// <summary>
    /// Subscribes or renews a host's observer (subscriptions expire unless renewed) and returns the
    /// board's current version, so a host can tell whether it missed changes while the grain did not
    /// know it. Also rolls the board over when the team's day has changed, so a watched board turns
    /// to the new day even when nobody touches it.
    /// </summary>
    Task<long> SubscribeAsync(IBoardObserver observer);

    /// <summary>Removes a host's observer.</summary>
    Task UnsubscribeAsync(IBoardObserver observer);
}
