using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Orleans.Utilities;
using Huddle.Contracts.Boards;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Patients;
using Huddle.Grains.CareTeams.Board;
using Huddle.Grains.Common;

namespace Huddle.Grains.CareTeams;

/// <summary>Tunables for care team grains.</summary>
public sealed class CareTeamGrainOptions
{
    /// <summary>
    /// How long an observer stays subscribed without renewal. Hosts renew every 30 s
    /// (Huddle:Relay:RenewEvery), so a few missed renewals never drop a live subscription.
    /// </summary>
    public TimeSpan ObserverExpiry { get; set; } = TimeSpan.FromMinutes(3);
}

public sealed partial class CareTeamGrain(
    [PersistentState(StorageNames.CareTeamState, StorageNames.Huddle)] IPersistentState<CareTeamState> state,
    IGrainHistoryStore history,
    HuddleClock clock,
    Microsoft.Extensions.Options.IOptions<CareTeamGrainOptions> options,
    ILogger<CareTeamGrain> logger) : Grain, ICareTeamGrain
{
    /// <summary>The longest range one history read may ask for.</summary>
    public const int MaxHistoryDays = 31;

    /// <summary>
    /// Each finished day's board is a history page of its own, numbered by its day, so the state row
    /// holds only today however long a team has used Huddle.
    /// </summary>
    private const string DaysStream = "days";

    private readonly ObserverManager<IBoardObserver> _observers = new(options.Value.ObserverExpiry, logger);

    private string TeamId => this.GetPrimaryKeyString();

    public async Task SetProfileAsync(CareTeamProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        if (profile.TeamId != TeamId)
        {
            throw new ArgumentException("The profile's id must match the grain's key.", nameof(profile));
        }

        if (!TimeZoneInfo.TryFindSystemTimeZoneById(profile.TimeZoneId, out _))
        {
            // The team's day decides when the board rolls over: a wrong zone would clear it mid-clinic.
            throw new ArgumentException($"Time zone '{profile.TimeZoneId}' is not known on this server.", nameof(profile));
        }

        var (profileBefore, boardBefore) = (state.State.Profile, state.State.Board);
        state.State.Profile = profile;
        state.State.Board ??= HuddleBoard.Create(TeamId, Today(profile));
        await PersistAsync(() => (state.State.Profile, state.State.Board) = (profileBefore, boardBefore));
        if (profileBefore is not null && _observers.Count > 0)
        {
            var board = state.State.Board;
            var reset = BoardChange.ResetAt(TeamId, board.Version, "roster", clock.UtcNow);
            NotifyHosts(new BoardNotice(reset, reset, profile));
        }
    }

    public async Task<bool> TryCreateAsync(CareTeamProfile profile)
    {
        if (state.State.Profile is not null)
        {
            return false;
        }

        await SetProfileAsync(profile);
        return true;
    }

    public async Task AddToPanelAsync(string patientId)
    {
        var before = state.State.PanelPatientIds;
        if (!before.Contains(patientId))
        {
            state.State.PanelPatientIds = before.Add(patientId);
            await PersistAsync(() => state.State.PanelPatientIds = before);
        }
    }

    public async Task RemoveFromPanelAsync(string patientId)
    {
        var before = state.State.PanelPatientIds;
        if (before.Contains(patientId))
        {
            state.State.PanelPatientIds = before.Remove(patientId);
            await PersistAsync(() => state.State.PanelPatientIds = before);
        }
    }

    public async Task<PanelRead> GetPanelAsync(string userId)
    {
        if (MembersOnly(userId, "its patients") is { } denied)
        {
            return new PanelRead([], denied);
        }

        var profiles = await Task.WhenAll(state.State.PanelPatientIds.Select(id => GrainFactory.GetGrain<IPatientGrain>(id).GetAsync()));
        return new PanelRead([.. profiles.OfType<PatientProfile>().Where(p => p.TeamIds.Contains(TeamId)).OrderBy(p => p.DisplayName, StringComparer.CurrentCulture)], null);
    }

    public Task<CareTeamProfile?> GetProfileAsync() => Task.FromResult(state.State.Profile);

    public Task<TeamAccess> GetAccessAsync(string userId) =>
        Task.FromResult(state.State.Profile?.AccessFor(userId) ?? TeamAccess.None);

    public async Task<BoardRead> GetBoardAsync(string userId)
    {
        if (state.State.Profile is not { } profile)
        {
            return new BoardRead(null, TeamAccess.None, HuddleError.NotFound("Team", TeamId));
        }

        var access = profile.AccessFor(userId);
        if (access == TeamAccess.None)
        {
            return new BoardRead(null, access, HuddleError.Forbidden("Only members of the care team can read its board."));
        }

        var board = await CurrentBoardAsync(profile);
        return new BoardRead(access == TeamAccess.Display ? SharedScreenPrivacy.Redact(board) : board, access, null);
    }

    public async Task<BoardHistoryRead> GetHistoryAsync(string userId, DateOnly from, DateOnly to)
    {
        if (MembersOnly(userId, "its past huddles") is { } denied)
        {
            return new BoardHistoryRead([], denied);
        }

        if (to < from || to.DayNumber - from.DayNumber >= MaxHistoryDays)
        {
            return new BoardHistoryRead([], HuddleError.Invalid($"Ask for 1 to {MaxHistoryDays} days, with 'from' not after 'to'."));
        }

        var boards = ImmutableArray.CreateBuilder<HuddleBoard>();
        await foreach (var page in history.ReadPagesAsync<HuddleBoard>(this.GetGrainId(), DaysStream, from.DayNumber, to.DayNumber))
        {
            boards.Add(page.Content);
        }

        return new BoardHistoryRead(boards.ToImmutable(), null);
    }

    public async Task<CommandResult> ExecuteAsync(string actorId, BoardCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (state.State.Profile is not { } profile)
        {
            return new CommandResult(0, HuddleError.NotFound("Team", TeamId));
        }

        var before = await CurrentBoardAsync(profile);
        var patient = command is AddCard add && profile.IsMember(actorId) && Ids.IsValid(add.PatientId)
            ? await GrainFactory.GetGrain<IPatientGrain>(add.PatientId).GetAsync()
            : null;
        var now = clock.UtcNow;
        var result = BoardRules.Apply(before, command, new BoardContext(actorId, now, profile, patient));
        if (result.Error is { } error)
        {
            LogRejected(TeamId, command.Op, actorId, error.Code);
            return new CommandResult(before.Version, error);
        }

        var after = result.Board!;
        await CommitAsync(before, after);
        LogAccepted(TeamId, command.Op, actorId, after.Version);
        Publish(BoardChange.Between(before, after, command.Op, actorId, now));
        return new CommandResult(after.Version, null);
    }

    public async Task<long> SubscribeAsync(IBoardObserver observer)
    {
        _observers.Subscribe(observer, observer);
        return state.State.Profile is { } profile ? (await CurrentBoardAsync(profile)).Version : 0;
    }

    public Task UnsubscribeAsync(IBoardObserver observer)
    {
        _observers.Unsubscribe(observer);
        return Task.CompletedTask;
    }

    /// <summary>Null when <paramref name="userId"/> is on the roster; otherwise why they may not read <paramref name="what"/>.</summary>
    private HuddleError? MembersOnly(string userId, string what) => state.State.Profile switch
    {
        null => HuddleError.NotFound("Team", TeamId),
        var profile when !profile.IsMember(userId) => HuddleError.Forbidden($"Only members of the care team can read {what}."),
        _ => null,
    };

    /// <summary>Today's board, rolling yesterday's over first when the team's day has changed.</summary>
    private async Task<HuddleBoard> CurrentBoardAsync(CareTeamProfile profile)
    {
        var today = Today(profile);
        var stored = state.State.Board;
        if (stored is not null && stored.Day >= today)
        {
            return stored;
        }

        if (stored is not null)
        {
            // The finished day is stored before the state that forgets it. Pages are upserted, so
            // if the state write below fails the retry simply writes the same page again.
            await history.WritePageAsync(this.GetGrainId(), DaysStream, stored.Day.DayNumber, stored);
        }

        var next = stored is null ? HuddleBoard.Create(TeamId, today) : BoardRules.RollOver(stored, today);
        await CommitAsync(stored, next);
        if (stored is not null)
        {
            Publish(BoardChange.Between(stored, next, "newDay", "system", clock.UtcNow));
        }

        return next;
    }

    /// <summary>Persists the new board; see <see cref="PersistAsync"/>.</summary>
    private Task CommitAsync(HuddleBoard? before, HuddleBoard after)
    {
        state.State.Board = after;
        return PersistAsync(() => state.State.Board = before);
    }

    /// <summary>
    /// Writes the state. If the write fails, <paramref name="rollback"/> puts memory back to what
    /// storage last acknowledged and the activation is retired, so the next call reloads from
    /// storage: the grain never serves a change that was not stored, and a write whose outcome is
    /// unknown is re-read rather than guessed.
    /// </summary>
    private async Task PersistAsync(Action rollback)
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception ex)
        {
            rollback();
            LogWriteFailed(ex, TeamId);
            DeactivateOnIdle();
            throw;
        }
    }

    private void Publish(BoardChange change)
    {
        if (_observers.Count == 0)
        {
            return;
        }

        var settings = state.State.Board!.Settings;
        var notice = new BoardNotice(change, SharedScreenPrivacy.Redact(change, settings));

        NotifyHosts(notice);
    }

    // OnBoardChanged is one-way: this returns at once, whatever the hosts are doing.
    private void NotifyHosts(BoardNotice notice) => _observers.Notify((Action<IBoardObserver>)(o => o.OnBoardChanged(notice)));

    private DateOnly Today(CareTeamProfile profile) => profile.DayAt(clock.UtcNow);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Board {TeamId} {Op} by {UserId} accepted at version {Version}")]
    private partial void LogAccepted(string teamId, string op, string userId, long version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Board {TeamId} {Op} by {UserId} rejected: {Code}")]
    private partial void LogRejected(string teamId, string op, string userId, string code);

    [LoggerMessage(Level = LogLevel.Error, Message = "Team {TeamId}: state write failed; memory restored and activation retired")]
    private partial void LogWriteFailed(Exception ex, string teamId);
}
