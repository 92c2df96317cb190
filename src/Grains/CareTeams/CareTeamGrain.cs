using System.Collections.Immutable;
using Huddle.Contracts.Boards;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Live;
using Huddle.Contracts.Patients;
using Huddle.Grains.CareTeams.Board;
using Huddle.Grains.Common;
using Huddle.Grains.Live;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Serialization.Invocation;

namespace Huddle.Grains.CareTeams;

/// <summary>
/// A care team: its profile and roster, today's board and its feed. Reads (profile, access, board,
/// history, the feed's open and catch-up) interleave with writes and never write: they answer from
/// what storage last acknowledged (<see cref="_stored"/>), so a routing read never waits behind a
/// board write. The board turns to the team's new day on a timer at the team's local midnight (on
/// the domain clock), or on the next write if that comes first; never inside a read.
/// </summary>
[MayInterleave(nameof(IsFeedRead))]
public sealed partial class CareTeamGrain(
    [PersistentState(StorageNames.CareTeamState, StorageNames.Huddle)] IPersistentState<CareTeamState> state,
    IGrainHistoryStore history,
    HuddleClock clock,
    IOptions<FeedOptions> feedOptions,
    ILogger<CareTeamGrain> logger) : Grain, ICareTeamGrain
{
    /// <summary>The longest range one history read may ask for.</summary>
    public const int MaxHistoryDays = 31;

    /// <summary>
    /// Each finished day's board is a history page of its own, numbered by its day, so the state row
    /// holds only today however long a team has used Huddle.
    /// </summary>
    private const string DaysStream = "days";

    /// <summary>How long a failed day rollover waits before it is tried again.</summary>
    private static readonly TimeSpan RollOverRetry = TimeSpan.FromMinutes(1);

    /// <summary>How often a roster change the team's followers were not told of is told again.</summary>
    private static readonly TimeSpan RetellEvery = TimeSpan.FromSeconds(5);

    private FeedPublisher? _feed;
    private ITimer? _midnight;
    private IGrainTimer? _retell;
    private CareTeamProfile? _untold;

    /// <summary>Users a stored roster change moved whose grains have not been told yet (bounded by two rosters).</summary>
    private readonly HashSet<string> _untoldUsers = new(StringComparer.Ordinal);

    /// <summary>The profile and board as storage last acknowledged them: what reads answer from while a write is under way.</summary>
    private (CareTeamProfile? Profile, HuddleBoard? Board) _stored;

    private string TeamId => this.GetPrimaryKeyString();

    /// <summary>The feed calls that only read (<see cref="IFeedGrain"/>'s are declared apart from the team's): they interleave.</summary>
    public static bool IsFeedRead(IInvokable request) =>
        request?.GetMethodName() is nameof(IFeedGrain.OpenAsync) or nameof(IFeedGrain.ReadSinceAsync) or nameof(IFeedGrain.SubscribeAsync) or nameof(IFeedGrain.UnsubscribeAsync);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // The feed starts at the version the state was loaded at, before anything can change it.
        _ = Feed;
        _stored = (state.State.Profile, state.State.Board);
        ArmMidnight();
        if (state.State is { Profile: { } profile, Untold: true })
        {
            // The last profile change may not have reached every follower and everyone it moved (the
            // grain's silo died after storing it): told again, soon after activation; telling again
            // changes nothing.
            _untoldUsers.UnionWith(state.State.UsersMoved);
            _untold = profile;
            _retell = this.RegisterGrainTimer(
                _ => _untold is { } untold ? TellFollowersAsync(untold) : Task.CompletedTask,
                new GrainTimerCreationOptions(TimeSpan.Zero, RetellEvery) { Interleave = false });
        }

        return base.OnActivateAsync(cancellationToken);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _midnight?.Dispose();
        return base.OnDeactivateAsync(reason, cancellationToken);
    }

    public async Task RollOverAsync()
    {
        var failed = true;
        try
        {
            if (state.State.Profile is { } profile)
            {
                await CurrentBoardAsync(profile);
            }

            failed = false;
        }
        finally
        {
            ArmMidnight(retry: failed);
        }
    }

    /// <summary>
    /// Arms the one-shot timer for the team's next midnight, or at once when the stored board is already
    /// of an earlier day (a grain activated after midnight; a rollover whose write failed, a minute on).
    /// It calls <see cref="RollOverAsync"/> through the grain's reference, so the rollover is a turn of its own.
    /// </summary>
    private void ArmMidnight(bool retry = false)
    {
        _midnight?.Dispose();
        _midnight = null;
        if (state.State.Profile is not { } profile)
        {
            return;
        }

        var now = clock.UtcNow;
        var due = state.State.Board is { } board && board.Day < Today(profile)
            ? (retry ? RollOverRetry : TimeSpan.Zero)
            : UntilNextDay(profile, now);
        var self = this.AsReference<ICareTeamGrain>();
        _midnight = clock.Time.CreateTimer(_ => self.RollOverAsync().Ignore(), null, due, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The time from <paramref name="now"/> to the team's next local midnight (the first valid time after it, on a DST jump).</summary>
    private static TimeSpan UntilNextDay(CareTeamProfile profile, DateTimeOffset now)
    {
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(profile.TimeZoneId, out var tz) ? tz : TimeZoneInfo.Utc;
        var midnight = profile.DayAt(now).AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(midnight))
        {
            midnight = midnight.AddMinutes(15);
        }

        var due = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(midnight, zone), TimeSpan.Zero) - now;
        return due > TimeSpan.Zero ? due : TimeSpan.Zero;
    }

    /// <summary>
    /// The board feed. Its seq is the board's version: every accepted change, a new day and a roster
    /// change each add one, so the feed is gap-free by construction and survives re-activation.
    /// </summary>
    private FeedPublisher Feed => _feed ??= new FeedPublisher(
        new FeedId(ICareTeamGrain.BoardFeed, TeamId), state.State.Board?.Version ?? 0, feedOptions.Value, logger,
        state.State.FeedEpoch = FeedPublisher.EpochOf(state.State.FeedEpoch), localHosts: LocalFeedHosts.In(ServiceProvider));

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
        var (moved, movedBefore, untoldBefore) = (UsersMoved(profileBefore, profile), state.State.UsersMoved, state.State.Untold);
        state.State.Profile = profile;
        // Those this change moved, and any an earlier change has not told yet.
        state.State.UsersMoved = [.. moved.Union(_untoldUsers, StringComparer.Ordinal)];
        state.State.Untold = true;
        // A roster change is a change of what the board shows (owner and attendee names, who may
        // watch): it takes the next version, so the feed stays gap-free.
        state.State.Board = boardBefore is null ? HuddleBoard.Create(TeamId, Today(profile)) : boardBefore with { Version = boardBefore.Version + 1 };
        await PersistAsync(() => (state.State.Profile, state.State.Board, state.State.UsersMoved, state.State.Untold) = (profileBefore, boardBefore, movedBefore, untoldBefore));
        if (boardBefore is not null)
        {
            var reset = BoardChange.ResetAt(TeamId, state.State.Board.Version, "roster", clock.UtcNow);
            Feed.Publish(reset.Version, [new(FeedAudiences.Members, reset), new(FeedAudiences.Displays, reset)], RosterOf(profile));
        }

        ArmMidnight();
        _untoldUsers.UnionWith(state.State.UsersMoved);
        await TellFollowersAsync(profile);
    }

    /// <summary>
    /// Tells the team's followers (its handoff desk, presence roster and chat thread, which answer access
    /// from their own copy; each user put on or taken off the team, whose hosts then check that user's
    /// feeds again; the directory of teams) of the stored profile. A failure is not the caller's: the
    /// profile is stored, and it is told again every few seconds until all have taken it (a newer
    /// profile replaces it; the users still to tell are kept until told).
    /// </summary>
    private async Task TellFollowersAsync(CareTeamProfile profile)
    {
        _untold = profile;
        var users = _untoldUsers.ToList();
        try
        {
            await Task.WhenAll(
                GrainFactory.Grain<Contracts.Handoffs.ITeamHandoffsGrain>(TeamId).TeamChangedAsync(profile),
                GrainFactory.Grain<Contracts.Presence.ITeamPresenceGrain>(TeamId).TeamChangedAsync(profile),
                Contracts.Chat.ThreadIds.ForTeam(TeamId) is { } thread
                    ? GrainFactory.Grain<Contracts.Chat.IThreadGrain>(thread).TeamChangedAsync(profile)
                    : Task.CompletedTask,
                GrainFactory.Grain<ITeamDirectoryGrain>(ITeamDirectoryGrain.Key).TeamChangedAsync(TeamListing.Of(profile)),
                Task.WhenAll(users.Select(u => GrainFactory.Grain<Contracts.Users.IUserGrain>(u).TeamChangedAsync(profile))));
            _untoldUsers.ExceptWith(users);
            if (ReferenceEquals(_untold, profile))
            {
                _untold = null;
                await ForgetToldAsync();
                _retell?.Dispose();
                _retell = null;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogTellFailed(ex, TeamId);
            _retell ??= this.RegisterGrainTimer(
                _ => _untold is { } untold ? TellFollowersAsync(untold) : Task.CompletedTask,
                new GrainTimerCreationOptions(RetellEvery, RetellEvery) { Interleave = false });
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

    public Task<CareTeamProfile?> GetProfileAsync() => Task.FromResult(_stored.Profile);

    public Task<TeamAccess> GetAccessAsync(string userId) =>
        Task.FromResult(_stored.Profile?.AccessFor(userId) ?? TeamAccess.None);

    public Task<Result<BoardSnapshot>> GetBoardAsync(string userId)
    {
        var access = AccessOf(userId, "its board");
        if (access.Error is { } denied)
        {
            return Task.FromResult<Result<BoardSnapshot>>(denied);
        }

        var (profile, board) = (_stored.Profile!, _stored.Board!);
        return Task.FromResult<Result<BoardSnapshot>>(new BoardSnapshot(access.Value == TeamAccess.Display ? SharedScreenPrivacy.Redact(board) : board, access.Value, profile));
    }

    public async Task<Result<ImmutableArray<HuddleBoard>>> GetHistoryAsync(string userId, DateOnly from, DateOnly to)
    {
        if (MembersOnly(userId, "its past huddles") is { } denied)
        {
            return denied;
        }

        if (to < from || to.DayNumber - from.DayNumber >= MaxHistoryDays)
        {
            return HuddleError.Invalid($"Ask for 1 to {MaxHistoryDays} days, with 'from' not after 'to'.");
        }

        var boards = ImmutableArray.CreateBuilder<HuddleBoard>();
        await foreach (var page in history.ReadPagesAsync<HuddleBoard>(this.GetGrainId(), DaysStream, from.DayNumber, to.DayNumber))
        {
            boards.Add(page.Content);
        }

        return boards.ToImmutable();
    }

    public async Task<Result<CommandOutcome>> ExecuteAsync(string actorId, BoardCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (state.State.Profile is not { } profile)
        {
            return HuddleError.NotFound("Team", TeamId);
        }

        if (!profile.IsMember(actorId))
        {
            // Before the op log: a member an administrator took off learns nothing from a replay either.
            LogRejected(TeamId, command.Op, actorId, ErrorCodes.Forbidden);
            return BoardRules.NotAMember;
        }

        var now = clock.UtcNow;
        var argumentsHash = command.OpId is null ? null : OperationLog.HashOf(command with { OpId = null });
        if (command.OpId is { } opId)
        {
            if (!Ids.IsValid(opId))
            {
                return HuddleError.InvalidId("An opId");
            }

            if (state.State.Operations.Find(actorId, opId, now) is { } earlier)
            {
                if (!earlier.IsSameAs(command.Op, argumentsHash!))
                {
                    return HuddleError.OpIdReused(opId, earlier.Op);
                }

                LogRepeated(TeamId, command.Op, actorId, earlier.Version);
                return new CommandOutcome(earlier.Version);
            }
        }

        var before = await CurrentBoardAsync(profile);
        var patient = command is AddCard add && Ids.IsValid(add.PatientId)
            ? await GrainFactory.Grain<IPatientGrain>(add.PatientId).GetAsync()
            : null;
        var result = BoardRules.Apply(before, command, new BoardContext(actorId, now, profile, patient));
        if (result.Error is { } error)
        {
            LogRejected(TeamId, command.Op, actorId, error.Code);
            return error;
        }

        var after = result.Value!;
        var operationsBefore = state.State.Operations;
        if (command.OpId is { } id)
        {
            state.State.Operations = operationsBefore.With(new AppliedOperation(actorId, id, command.Op, after.Version, now, argumentsHash));
        }

        state.State.Board = after;
        await PersistAsync(() => (state.State.Board, state.State.Operations) = (before, operationsBefore));
        LogAccepted(TeamId, command.Op, actorId, after.Version);
        HuddleTelemetry.BoardChanged(command.Op);
        Publish(BoardChange.Between(before, after, command.Op, actorId, now));
        return new CommandOutcome(after.Version);
    }

    public async Task SyncRegistryFlagsAsync(string patientId, ImmutableArray<CardFlag> flags)
    {
        if (state.State.Profile is not { } profile || !Ids.IsValid(patientId))
        {
            return;
        }

        var before = await CurrentBoardAsync(profile);
        var absent = !before.Cards.Any(c => c.PatientId == patientId);
        var patient = absent && flags.Any(f => f.Kind == FlagKind.SafetyRisk)
            ? await GrainFactory.Grain<IPatientGrain>(patientId).GetAsync()
            : null;
        if (BoardRules.WithRegistryFlags(before, patientId, flags.IsDefault ? [] : flags, patient) is not { } after)
        {
            return;
        }

        var now = clock.UtcNow;
        state.State.Board = after;
        await PersistAsync(() => state.State.Board = before);
        LogAccepted(TeamId, "registryFlags", "system", after.Version);
        HuddleTelemetry.BoardChanged("registryFlags");
        Publish(BoardChange.Between(before, after, "registryFlags", "system", now));
    }

    /// <remarks>A watched board turns to the new day even when nobody touches it: the midnight timer does it.</remarks>
    public Task<FeedPosition> SubscribeAsync(string kind, IFeedObserver observer) => Feed.SubscribeAsync(kind, observer);

    public Task UnsubscribeAsync(string kind, IFeedObserver observer) => Feed.UnsubscribeAsync(kind, observer);

    public Task<FeedCatchUp> ReadSinceAsync(string kind, long seq, long epoch = FeedPosition.AnyEpoch, int limit = 0) =>
        Feed.ReadSinceAsync(kind, seq, epoch, limit);

    public async Task<Result<FeedOpen>> OpenAsync(string kind, string userId, long? since, string? audience = null,
        long epoch = FeedPosition.AnyEpoch, int limit = 0)
    {
        Feed.CheckKind(kind);
        var access = AccessOf(userId, "its board");
        if (access.Error is { } denied)
        {
            return denied;
        }

        // A member may watch as a room display (the wall view); a display never as a member.
        var placed = access.Value == TeamAccess.Member && audience != FeedAudiences.Displays ? FeedAudiences.Members : FeedAudiences.Displays;
        if (audience is not null && audience != placed)
        {
            return HuddleError.Forbidden($"The board's '{audience}' stream is not open to this user.");
        }

        // A reset among the missed changes (a new day, a roster change, a privacy switch on the
        // wall) cannot be merged: then the caller gets the snapshot instead, of what storage holds
        // when it is taken (the publisher takes it again if a write published meanwhile).
        return await Feed.OpenAsync(placed, since, epoch, limit,
            () => _stored is (var profile, var board) && board is not null
                ? new BoardSnapshot(placed == FeedAudiences.Displays ? SharedScreenPrivacy.Redact(board) : board, access.Value, profile!)
                : throw new InvalidOperationException("A team with a profile has a board."),
            c => c is BoardChange { Reset: true });
    }

    /// <summary>What <paramref name="userId"/> may do, or why they may not read <paramref name="what"/>.</summary>
    private Result<TeamAccess> AccessOf(string userId, string what) => _stored.Profile switch
    {
        null => HuddleError.NotFound("Team", TeamId),
        var profile when profile.AccessFor(userId) is var access and not TeamAccess.None => access,
        _ => HuddleError.Forbidden($"Only members of the care team can read {what}."),
    };

    /// <summary>Null when <paramref name="userId"/> is a clinician on the roster; otherwise why they may not read <paramref name="what"/>.</summary>
    private HuddleError? MembersOnly(string userId, string what) => AccessOf(userId, what) switch
    {
        { Error: { } error } => error,
        { Value: TeamAccess.Member } => null,
        _ => HuddleError.Forbidden($"Only members of the care team can read {what}."),
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
        state.State.Board = next;
        await PersistAsync(() => state.State.Board = stored);
        if (stored is not null)
        {
            Publish(BoardChange.Between(stored, next, "newDay", "system", clock.UtcNow));
        }

        return next;
    }

    /// <summary>
    /// Everyone was told of the stored profile: the marker that would tell them again at the next
    /// activation is cleared. A failed write only means they are told once more then.
    /// </summary>
    private async Task ForgetToldAsync()
    {
        if (!state.State.Untold || _untoldUsers.Count > 0)
        {
            return;
        }

        (state.State.Untold, state.State.UsersMoved) = (false, []);
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Its outcome unknown: reloaded on the next call, the marker stored or not.
            LogWriteFailed(ex, TeamId);
            DeactivateOnIdle();
        }
    }

    /// <summary>
    /// Writes the state. If the write fails, <paramref name="rollback"/> puts memory back to what
    /// storage last acknowledged and the activation is retired, so the next call reloads from
    /// storage: the grain never serves a change that was not stored, and a write whose outcome is
    /// unknown is re-read rather than guessed (the op id log then tells a retry what happened).
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

        // Before anything is published: a read from now on answers at the version the feed is at.
        _stored = (state.State.Profile, state.State.Board);
    }

    /// <summary>Publishes a board change: the full change to members, the privacy-filtered one to displays.</summary>
    private void Publish(BoardChange change)
    {
        var settings = state.State.Board!.Settings;
        Feed.Publish(change.Version, [new(FeedAudiences.Members, change), new(FeedAudiences.Displays, SharedScreenPrivacy.Redact(change, settings))]);
    }

    private static FeedRoster RosterOf(CareTeamProfile profile)
    {
        var byUser = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var displayId in profile.DisplayIds)
        {
            byUser[displayId] = FeedAudiences.Displays;
        }

        foreach (var member in profile.Members)
        {
            byUser[member.UserId] = FeedAudiences.Members;
        }

        return new FeedRoster(byUser.ToImmutable());
    }

    private DateOnly Today(CareTeamProfile profile) => profile.DayAt(clock.UtcNow);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Board {TeamId} {Op} by {UserId} accepted at version {Version}")]
    private partial void LogAccepted(string teamId, string op, string userId, long version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Board {TeamId} {Op} by {UserId} repeated with a known op id: first result (version {Version}) returned")]
    private partial void LogRepeated(string teamId, string op, string userId, long version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Board {TeamId} {Op} by {UserId} rejected: {Code}")]
    private partial void LogRejected(string teamId, string op, string userId, string code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Team {TeamId}: its handoff desk or presence roster was not told of the new profile; told again shortly")]
    private partial void LogTellFailed(Exception ex, string teamId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Team {TeamId}: state write failed; memory restored and activation retired")]
    private partial void LogWriteFailed(Exception ex, string teamId);
}
