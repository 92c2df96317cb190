using System.Collections.Immutable;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Handoffs;
using Huddle.Contracts.Push;
using Huddle.Contracts.Live;
using Huddle.Contracts.Patients;
using Huddle.Contracts.Presence;
using Huddle.Grains.Common;
using Huddle.Grains.Live;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Huddle.Grains.Handoffs;

/// <summary>
/// One warm handoff. Commands run one at a time in this activation, so of two accepts exactly one
/// wins, and a cancel racing an accept sees the other's outcome. The escalation deadline (and the stale
/// policy's) lives in the persisted handoff; while one is pending an Orleans reminder (durable: it
/// re-activates this grain after a deactivation or a silo restart) and, while active, a one-shot timer on
/// the domain clock (sub-minute precision; a test moves it) both deliver the same tick, which takes
/// whatever is due.
/// <para>
/// What a stored change promises others — every involved inbox (with its ping), the team's desk, the
/// patient's history — is written as an <b>outbox</b> in the same state write (<see cref="HandoffOutbox"/>),
/// sent at once, and sent again until each receiver's call returns: a grain timer with backoff while
/// active, the reminder (kept while anything is owed) after a restart. Acknowledged tells leave the outbox
/// in a later write, off the ping's path. Receivers keep the newest version of each handoff, so a tell
/// sent twice changes nothing and never pings twice.
/// </para>
/// </summary>
public sealed partial class HandoffGrain(
    [PersistentState(StorageNames.HandoffState, StorageNames.Huddle)] IPersistentState<HandoffState> state,
    HuddleClock clock,
    IOptions<HandoffOptions> options,
    IOptions<FeedOptions> feedOptions,
    ILogger<HandoffGrain> logger) : Grain, IHandoffGrain, IRemindable
{
    /// <summary>The reminder that carries the deadlines and the owed tells across deactivations and restarts.</summary>
    public const string EscalationReminder = "escalation";

    /// <summary>Orleans' shortest reminder period: the reminder is the backstop, the timers the prompt ones.</summary>
    private static readonly TimeSpan ReminderPeriod = TimeSpan.FromMinutes(1);

    /// <summary>The longest a timer or the reminder is set for at once.</summary>
    private static readonly TimeSpan LongestWait = TimeSpan.FromDays(1);

    private ITimer? _timer;
    private IGrainTimer? _retry;
    private TimeSpan _backoff;
    private IRemindable? _self;

    // The reminder's last registration failed (or this activation has not confirmed it yet).
    private bool _reminderOwed;

    // Tells acknowledged since the last write: memory owes less than storage says, which is safe
    // (a reload sends them again, and receivers ignore a version they hold), so the write can wait.
    private bool _outboxUnsaved;

    private string HandoffId => this.GetPrimaryKeyString();

    private HandoffOptions Options => options.Value;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _self = this.AsReference<IRemindable>();
        ArmTimer();
        // Re-armed from what is stored: owed tells go out again, and the reminder is registered again
        // (a registration may have failed before this activation, and nobody retried the command).
        _reminderOwed = PendingWait() is not null || !state.State.Outbox.IsEmpty;
        if (_reminderOwed)
        {
            ScheduleRetry(TimeSpan.Zero);
        }

        return base.OnActivateAsync(cancellationToken);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        _retry?.Dispose();
        return base.OnDeactivateAsync(reason, cancellationToken);
    }

    public async Task<Result<HandoffSummary>> RequestAsync(string actorId, RequestHandoff request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (state.State.Handoff is { } existing && await RefusedAsync(existing, actorId, request.Op) is { } denied)
        {
            // A replay included: someone off the handoff or off its team learns nothing of it (not even its status).
            return denied;
        }

        var argumentsHash = HashOf(request);
        if (await RepeatedAsync(actorId, request, argumentsHash) is { } repeated)
        {
            return repeated;
        }

        if (state.State.Handoff is { } requested)
        {
            return HandoffErrors.Illegal(request.Op, requested.Status);
        }

        if (!Ids.IsValid(request.TeamId))
        {
            return HuddleError.InvalidId("A team id");
        }

        // The profile, the policy, the roster and the patient in one round: the ping waits for no other read.
        var teamRead = ReadTeamAsync(request.TeamId);
        var patientRead = Ids.IsValid(request.PatientId)
            ? GrainFactory.Grain<IPatientGrain>(request.PatientId).GetAsync()
            : Task.FromResult<PatientProfile?>(null);
        await Task.WhenAll(teamRead, patientRead);
        if (await teamRead is not { } team)
        {
            return HuddleError.NotFound("Team", request.TeamId);
        }

        var now = clock.UtcNow;
        var created = HandoffRules.Request(HandoffId, actorId, request, team.Profile, now);
        var refused = created.Error ?? (await patientRead is not { } patient ? HuddleError.NotFound("Patient", request.PatientId)
            : !patient.TeamIds.Contains(request.TeamId, StringComparer.Ordinal) ? HandoffErrors.NotOnTeam(request.PatientId, request.TeamId)
            : null);
        if (refused is not null)
        {
            LogRejected(HandoffId, request.Op, actorId, refused.Code);
            return refused;
        }

        var (routed, pinged) = Escalation.Advance(created.Value!, team.Policy, team.Roster, now);
        await CommitAsync(actorId, request, argumentsHash, routed, pinged, now);
        return state.State.Handoff!.Summary();
    }

    public async Task<Result<HandoffSummary>> ExecuteAsync(string actorId, HandoffCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (state.State.Handoff is not { } handoff)
        {
            return HuddleError.NotFound("Handoff", HandoffId);
        }

        AuditNote.Patient(handoff.PatientId);
        if (await RefusedAsync(handoff, actorId, command.Op) is { } denied)
        {
            return denied;
        }

        var argumentsHash = HashOf(command);
        if (await RepeatedAsync(actorId, command, argumentsHash) is { } repeated)
        {
            return repeated;
        }

        var now = clock.UtcNow;
        var applied = HandoffRules.Apply(handoff, actorId, command, now);
        if (applied.Error is { } error)
        {
            LogRejected(HandoffId, command.Op, actorId, error.Code);
            return error;
        }

        var (next, pinged) = (applied.Value!, ImmutableArray<string>.Empty);
        if (next.DeadlineAt <= now)
        {
            // Everyone pinged declined: the next step is due now, not at the old deadline.
            (next, pinged) = await EscalateAsync(next, now);
        }

        // Joining puts the consultant "in session", completing takes them back out of it: owed with the step.
        await CommitAsync(actorId, command, argumentsHash, next, pinged, now, command is JoinHandoff or CompleteHandoff ? actorId : null);
        return state.State.Handoff!.Summary();
    }

    public Task PrepareAsync() => Task.CompletedTask;

    public async Task<Result<Handoff>> OpenAsync(string userId)
    {
        if (state.State.Handoff is not { } handoff)
        {
            return HuddleError.NotFound("Handoff", HandoffId);
        }

        AuditNote.Patient(handoff.PatientId);
        // The requester and the clinicians it was sent to are members of its team: while they stay so.
        if (await GrainFactory.Grain<ICareTeamGrain>(handoff.TeamId).GetAccessAsync(userId) != TeamAccess.Member
            && await GrainFactory.Grain<IEmergencyAccessGrain>(handoff.PatientId).ActiveAsync(userId) is null)
        {
            return HuddleError.Forbidden("Only members of its care team and a clinician with emergency access to its patient can open a handoff.");
        }

        // The audit trail has this read (the silo's audit of every call); the log line is for operators.
        LogOpened(HandoffId, userId, handoff.PatientId);
        return handoff;
    }

    /// <summary>
    /// The tick of the reminder and of the deadline timer: takes the escalation steps due, closes what the
    /// stale policy ends, and sends what is still owed.
    /// </summary>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (state.State.Handoff is not { } handoff)
        {
            await SettleAsync();
            return;
        }

        var now = clock.UtcNow;
        var (next, pinged) = (handoff, ImmutableArray<string>.Empty);
        if (handoff is { Status: HandoffStatus.Requested, DeadlineAt: { } due } && due <= now)
        {
            (next, pinged) = await EscalateAsync(handoff, now);
        }

        if (Staleness.Close(Staleness.Arm(next, Options), now) is { } closed)
        {
            next = closed;
        }

        await CommitAsync(null, null, null, next, pinged, now);
    }

    /// <summary>The escalation steps due at <paramref name="now"/>; a team that no longer exists ends the handoff (never a loop on a due deadline).</summary>
    private async Task<(Handoff Next, ImmutableArray<string> Pinged)> EscalateAsync(Handoff handoff, DateTimeOffset now)
    {
        if (await ReadTeamAsync(handoff.TeamId) is { } team)
        {
            return Escalation.Advance(handoff, team.Policy, team.Roster, now);
        }

        LogTeamMissing(HandoffId, handoff.TeamId);
        return (Escalation.TeamGone(handoff, now), []);
    }

    /// <summary>A short hash of <paramref name="command"/>'s arguments (its op id left out), when it carries an op id.</summary>
    private static string? HashOf(HandoffCommand command) => command.OpId is null ? null : OperationLog.HashOf(command with { OpId = null });

    /// <summary>
    /// Why <paramref name="actorId"/> may not act on <paramref name="handoff"/>, or null. Every step is by the
    /// requester or a clinician it was sent to, and only while they are on its team: anyone else is refused
    /// before anything about the handoff (its status, who accepted it) shows in the answer, and someone an
    /// administrator took off acts on nothing more, a replay of their own earlier step included.
    /// </summary>
    private async Task<HuddleError?> RefusedAsync(Handoff handoff, string actorId, string op)
    {
        if (!handoff.Involved.Contains(actorId))
        {
            LogRejected(HandoffId, op, actorId, ErrorCodes.Forbidden);
            return HuddleError.Forbidden("Only the requester and the clinicians a handoff was sent to can act on it.");
        }

        if (await GrainFactory.Grain<ICareTeamGrain>(handoff.TeamId).GetAccessAsync(actorId) != TeamAccess.Member)
        {
            LogRejected(HandoffId, op, actorId, ErrorCodes.Forbidden);
            return HuddleError.Forbidden("Only members of the handoff's care team can act on it.");
        }

        return null;
    }

    /// <summary>
    /// The result for a command whose op id this actor already used for the same operation and arguments
    /// (after finishing what its first call promised), an error for a reused or malformed id; null for a new one.
    /// </summary>
    private async Task<Result<HandoffSummary>?> RepeatedAsync(string actorId, HandoffCommand command, string? argumentsHash)
    {
        if (command.OpId is not { } opId)
        {
            return null;
        }

        if (!Ids.IsValid(opId))
        {
            return HuddleError.InvalidId("An opId");
        }

        if (state.State.Operations.Find(actorId, opId, clock.UtcNow) is not { } earlier)
        {
            return null;
        }

        if (!earlier.IsSameAs(command.Op, argumentsHash!))
        {
            LogRejected(HandoffId, command.Op, actorId, ErrorCodes.OpIdReused);
            return HuddleError.OpIdReused(opId, earlier.Op);
        }

        // The first call may have failed after its write (the reminder's registration, a tell): the
        // retry re-arms and re-sends before it answers, so "retry with the same op id" finishes the job.
        LogRepeated(HandoffId, command.Op, actorId, earlier.Version);
        await SettleAsync();
        return state.State.Handoff!.Summary();
    }

    /// <summary>What routing and escalation decide with (<see cref="TeamFacts"/>, shared with chat's messages to a role).</summary>
    private Task<TeamFacts?> ReadTeamAsync(string teamId) => TeamFacts.ReadAsync(GrainFactory, teamId);

    /// <summary>
    /// Stores <paramref name="next"/> with the op id and the tells it owes (one write), sends them, and keeps
    /// the reminder on the stored deadline. Throws when the write or the reminder's registration failed: the
    /// caller gets <c>unavailable</c>, and a retry with the same op id finishes the job.
    /// </summary>
    private async Task CommitAsync(string? actorId, HandoffCommand? command, string? argumentsHash, Handoff next, ImmutableArray<string> pinged,
        DateTimeOffset now, string? presenceOf = null)
    {
        next = Staleness.Arm(next, Options);
        var (before, operationsBefore, outboxBefore) = (state.State.Handoff, state.State.Operations, state.State.Outbox);
        if (before is not null && ReferenceEquals(before, next))
        {
            await SettleAsync();
            return;
        }

        if (command?.OpId is { } opId)
        {
            state.State.Operations = operationsBefore.With(new AppliedOperation(actorId!, opId, command.Op, next.Version, now, argumentsHash));
        }

        (state.State.Handoff, state.State.Outbox) = (next, HandoffOutbox.Owe(outboxBefore, next, pinged, presenceOf));
        // Where each pinged clinician watches their inbox, asked while the write is under way: a read of
        // warm grains that never waits behind their writes, so it is answered before the write is.
        var hosts = pinged.IsDefaultOrEmpty ? null : HostsOfAsync(pinged);
        try
        {
            await state.WriteStateAsync();
            _outboxUnsaved = false;
        }
        catch (Exception ex)
        {
            // Memory never runs ahead of storage; the next call reloads what was really stored. No
            // hint goes out: a ping is never sent for a handoff that was not stored.
            (state.State.Handoff, state.State.Operations, state.State.Outbox) = (before, operationsBefore, outboxBefore);
            LogWriteFailed(ex, HandoffId);
            DeactivateOnIdle();
            throw;
        }

        // The ping is durable now (the inbox is a projection of this row): the hint goes straight to the
        // hosts where each pinged clinician watches, and only once they have sent it and a short lead has
        // passed (FeedHints) the tells (pinged inboxes first, whose numbered change follows the hint), the
        // log line and the reminder's write: a ping never waits for an inbox's write or the reminder table,
        // and they do not start while the ping is still being written; the command returns once the
        // deadline is durable.
        if (hosts is not null)
        {
            await HintAsync(hosts, next.Summary(), now);
        }

        var told = TellOwedAsync();
        LogChanged(HandoffId, command?.Op ?? "tick", actorId ?? Escalation.System, next.Status, next.BusinessStatus, next.Version);
        Exception? armFailed = null;
        // A step that leaves no deadline (a close, a completion, the last escalation's give-up) keeps the
        // reminder while its tells are in flight: removed now, a host dying before they land would leave a
        // stored outbox that nothing wakes. It goes once they have landed.
        var heldForTells = PendingWait() is null && !state.State.Outbox.IsEmpty;
        try
        {
            // Here the outbox does not count towards the reminder's due time: normally every tell succeeds.
            await ArmAsync(countOutbox: false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            armFailed = ex;
        }

        await told;
        if (armFailed is null && (!state.State.Outbox.IsEmpty || heldForTells))
        {
            // A tell failed: the reminder carries it across a restart, due within a minute. Or the tells of
            // a step without a deadline all landed: the reminder is removed.
            armFailed = await TryArmAsync();
        }

        FollowUp();
        if (armFailed is not null)
        {
            LogArmFailed(armFailed, HandoffId);
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(armFailed);
        }
    }

    /// <summary>Sends what is owed and keeps the reminder on what is pending (nothing was stored).</summary>
    private async Task SettleAsync()
    {
        await TellOwedAsync();
        var armFailed = await TryArmAsync();
        FollowUp();
        if (armFailed is not null)
        {
            LogArmFailed(armFailed, HandoffId);
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(armFailed);
        }
    }

    /// <summary>
    /// Sends the handoff as it now stands to every receiver the outbox names, all at once (pinged inboxes
    /// first: theirs are the calls a consultant's phone is waiting for). Each call that returns takes its
    /// debt out of memory; a failure is logged and stays owed.
    /// </summary>
    private async Task TellOwedAsync()
    {
        if (state.State.Handoff is not { } handoff || state.State.Outbox.IsEmpty)
        {
            return;
        }

        var (summary, outcome) = (handoff.Summary(), HandoffMetrics.OutcomeOf(handoff));
        var told = await Task.WhenAll(state.State.Outbox.Select(async tell =>
        {
            try
            {
                await (tell.Receiver switch
                {
                    TellReceiver.Inbox => GrainFactory.Grain<IInboxGrain>(tell.Key).DeliverAsync(summary, tell.Ping),
                    TellReceiver.Desk => GrainFactory.Grain<ITeamHandoffsGrain>(tell.Key).TrackAsync(summary, outcome),
                    TellReceiver.Push => PushAsync(handoff, summary, tell),
                    TellReceiver.Presence => FollowPresenceAsync(tell.Key, handoff.Status),
                    _ => GrainFactory.Grain<IPatientGrain>(tell.Key).TrackHandoffAsync(summary),
                });
                return tell;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogTellFailed(ex, HandoffId, tell.Receiver, tell.Key, summary.Version);
                return null;
            }
        }));
        foreach (var tell in told.OfType<OwedTell>())
        {
            state.State.Outbox = HandoffOutbox.Acknowledge(state.State.Outbox, tell.Receiver, tell.Key, summary.Version);
            _outboxUnsaved = true;
        }
    }

    /// <summary>
    /// The push of a ping to the clinician's devices, while the handoff still asks them to answer (a
    /// push owed from before an accept or a decline is dropped, not sent late). Numbered by the version
    /// that pinged, so a retried tell is one notice.
    /// </summary>
    private Task PushAsync(Handoff handoff, HandoffSummary summary, OwedTell tell) =>
        summary.Status == HandoffStatus.Requested && !summary.Declined.Contains(tell.Key)
            ? GrainFactory.Grain<IPushDevicesGrain>(tell.Key).NotifyAsync(PushNotices.ForPing(summary with { Version = tell.Version }, tell.Key, handoff.DeadlineAt, clock.UtcNow))
            : Task.CompletedTask;

    /// <summary>
    /// The hosts relaying each of <paramref name="users"/>' inboxes, asked all at once; a clinician whose
    /// inbox cannot answer gets no hint (their numbered inbox change still comes, a little later).
    /// </summary>
    private async Task<(string UserId, ImmutableArray<IFeedObserver> Hosts)[]> HostsOfAsync(ImmutableArray<string> users) =>
        await Task.WhenAll(users.Select(async userId =>
        {
            try
            {
                return (userId, await GrainFactory.Grain<IInboxGrain>(userId).HostsAsync());
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogHostsUnknown(ex, HandoffId, userId);
                return (userId, ImmutableArray<IFeedObserver>.Empty);
            }
        }));

    /// <summary>
    /// Sends the ping as a hint (<see cref="InboxChange.Hint"/>, seq 0) to every host where a pinged
    /// clinician watches their inbox, and returns once the hosts have sent it (<see cref="FeedHints"/>: at
    /// most <see cref="FeedOptions.HintWait"/>, never an error). Called only after the handoff's write succeeded.
    /// </summary>
    private async Task HintAsync(Task<(string UserId, ImmutableArray<IFeedObserver> Hosts)[]> hostsRead, HandoffSummary summary, DateTimeOffset now)
    {
        var notice = HandoffNotices.For(summary, ping: true);
        var sends = from watched in await hostsRead
                    where !watched.Hosts.IsDefaultOrEmpty
                    let hint = new FeedHint(new FeedId(IInboxGrain.Feed, watched.UserId), FeedAudiences.User(watched.UserId),
                        new InboxChange(watched.UserId, 0, summary, Ping: true, notice, now, Hint: true))
                    from host in watched.Hosts
                    select (host, hint);
        await FeedHints.SendAsync(sends, feedOptions.Value, (ex, hint) => LogHintFailed(ex, HandoffId, hint.Feed.Key), localHosts: LocalFeedHosts.In(ServiceProvider));
    }

    /// <summary>After a commit or a retry: a retry with backoff while anything is owed; else a prompt write of the acknowledgements.</summary>
    private void FollowUp()
    {
        if (!state.State.Outbox.IsEmpty || _reminderOwed)
        {
            _backoff = _backoff == TimeSpan.Zero ? Options.RetryFirst : TimeSpan.FromTicks(Math.Min(_backoff.Ticks * 2, Options.RetryMax.Ticks));
            ScheduleRetry(_backoff);
            return;
        }

        _backoff = TimeSpan.Zero;
        if (_outboxUnsaved)
        {
            ScheduleRetry(TimeSpan.Zero);
        }
        else
        {
            _retry?.Dispose();
            _retry = null;
        }
    }

    private void ScheduleRetry(TimeSpan due)
    {
        _retry?.Dispose();
        // Real time, not the domain clock: a failed tell is retried whether or not a test moves the clinic's clock.
        // Kept alive while it is what carries a debt (the reminder could not be registered, tells are owed):
        // collected idle, the activation would take that debt with it.
        _retry = this.RegisterGrainTimer(RetryAsync, new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan)
        {
            Interleave = false,
            KeepAlive = _reminderOwed || !state.State.Outbox.IsEmpty,
        });
    }

    /// <summary>The retry timer's turn: sends what is owed, registers the reminder if it failed, writes the acknowledgements.</summary>
    private async Task RetryAsync(CancellationToken cancellationToken)
    {
        var owedBefore = !state.State.Outbox.IsEmpty;
        await TellOwedAsync();
        if (_reminderOwed || (owedBefore && state.State.Outbox.IsEmpty))
        {
            // Registered again: back on the deadline now nothing is owed, or removed when there is none.
            if (await TryArmAsync() is { } armFailed)
            {
                LogArmFailed(armFailed, HandoffId);
            }
        }

        if (_outboxUnsaved)
        {
            try
            {
                await state.WriteStateAsync();
                _outboxUnsaved = false;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Storage still lists tells already made: a new activation makes them again, harmlessly.
                LogWriteFailed(ex, HandoffId);
                DeactivateOnIdle();
            }
        }

        FollowUp();
    }

    /// <summary>
    /// The presence a join or a completion owes (<see cref="TellReceiver.Presence"/>), from where the handoff
    /// stands when it is told: in progress puts <paramref name="userId"/> "in session", completed takes them
    /// back out of it (only if they are still in session). A failure throws: the tell stays owed.
    /// </summary>
    private async Task FollowPresenceAsync(string userId, HandoffStatus status)
    {
        var presence = GrainFactory.Grain<IPresenceGrain>(userId);
        if (status == HandoffStatus.InProgress)
        {
            await presence.SetStatusAsync(PresenceStatus.InSession);
        }
        else if (status == HandoffStatus.Completed && (await presence.GetAsync()).Chosen == PresenceStatus.InSession)
        {
            await presence.SetStatusAsync(PresenceStatus.Available);
        }
    }

    /// <summary>
    /// Keeps the timer and the reminder on the stored deadline — while tells are owed (when
    /// <paramref name="countOutbox"/>), the reminder within a minute at most; without a deadline, keeps the
    /// reminder (due within a minute) while tells are owed or in flight, or removes it. A failure leaves the
    /// reminder owed.
    /// </summary>
    private async Task ArmAsync(bool countOutbox)
    {
        ArmTimer();
        try
        {
            if (PendingWait() is { } wait)
            {
                // A little after the timer: normally the timer takes the step and the reminder finds nothing
                // due. While tells are owed, within a minute however far the deadline: an activation that
                // dies with its retry timer (a host killed) is woken to send them, not hours later.
                var due = wait + TimeSpan.FromSeconds(1);
                await this.RegisterOrUpdateReminder(EscalationReminder,
                    countOutbox && !state.State.Outbox.IsEmpty && due > ReminderPeriod ? ReminderPeriod : due, ReminderPeriod);
            }
            else if (!state.State.Outbox.IsEmpty)
            {
                // No deadline, but tells owed (or in flight): the reminder stays, due within a minute.
                await this.RegisterOrUpdateReminder(EscalationReminder, ReminderPeriod, ReminderPeriod);
            }
            else if (await this.GetReminder(EscalationReminder) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }

            _reminderOwed = false;
        }
        catch
        {
            _reminderOwed = true;
            throw;
        }
    }

    /// <summary><see cref="ArmAsync"/> counting the outbox; the failure, or null.</summary>
    private async Task<Exception?> TryArmAsync()
    {
        try
        {
            await ArmAsync(countOutbox: true);
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return ex;
        }
    }

    private void ArmTimer()
    {
        _timer?.Dispose();
        _timer = null;
        if (PendingWait() is { } wait)
        {
            // On the domain clock, so a test moving it runs the escalation; the tick is a call to this
            // grain like the reminder's, so it runs in the grain's turn order.
            _timer = clock.Time.CreateTimer(_ => _ = TickAsync(), null, wait, Timeout.InfiniteTimeSpan);
        }
    }

    private async Task TickAsync()
    {
        try
        {
            await _self!.ReceiveReminder(EscalationReminder, default);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The reminder still stands: it takes the step a minute later at worst.
            LogTickFailed(ex, HandoffId);
        }
    }

    /// <summary>How long until the next deadline (an escalation step, or the stale policy's); null when none is pending.</summary>
    private TimeSpan? PendingWait()
    {
        var handoff = state.State.Handoff;
        DateTimeOffset? escalation = handoff is { Status: HandoffStatus.Requested, DeadlineAt: { } due } ? due : null;
        DateTimeOffset? stale = handoff is { IsOpen: true, StaleAt: { } at } ? at : null;
        if ((escalation, stale) is (null, null))
        {
            return null;
        }

        var next = escalation is { } e && (stale is not { } s || e <= s) ? e : stale!.Value;
        // Timers and reminders take at most ~49 days: a longer wait (a referral's) is taken a day at a
        // time, each tick finding nothing due and arming the next.
        var wait = next - clock.UtcNow;
        return wait <= TimeSpan.Zero ? TimeSpan.Zero : wait > LongestWait ? LongestWait : wait;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Handoff {HandoffId} {Op} by {UserId}: {Status} ({BusinessStatus}), version {Version}")]
    private partial void LogChanged(string handoffId, string op, string userId, HandoffStatus status, string? businessStatus, long version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Handoff {HandoffId} {Op} by {UserId} rejected: {Code}")]
    private partial void LogRejected(string handoffId, string op, string userId, string code);

    [LoggerMessage(Level = LogLevel.Information, Message = "Handoff {HandoffId} {Op} by {UserId} repeated with a known op id: first result (version {Version}) returned")]
    private partial void LogRepeated(string handoffId, string op, string userId, long version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Handoff {HandoffId} opened by {UserId} (patient {PatientId})")]
    private partial void LogOpened(string handoffId, string userId, string patientId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handoff {HandoffId}: state write failed; memory restored and activation retired")]
    private partial void LogWriteFailed(Exception ex, string handoffId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handoff {HandoffId}: {Receiver} {Key} could not be told version {Version}; it stays in the outbox and is retried")]
    private partial void LogTellFailed(Exception ex, string handoffId, TellReceiver receiver, string key, long version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Handoff {HandoffId}: where {UserId} watches their inbox is unknown; their ping comes with the inbox's own change")]
    private partial void LogHostsUnknown(Exception ex, string handoffId, string userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Handoff {HandoffId}: a host did not take {UserId}'s ping hint; their ping comes with the inbox's own change")]
    private partial void LogHintFailed(Exception ex, string handoffId, string userId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handoff {HandoffId}: the reminder could not be registered or removed; retried, and a retry of the command re-arms it")]
    private partial void LogArmFailed(Exception ex, string handoffId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handoff {HandoffId}: team {TeamId} has no profile; the handoff ends as failed")]
    private partial void LogTeamMissing(string handoffId, string teamId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handoff {HandoffId}: the escalation timer's tick failed; the reminder will retry")]
    private partial void LogTickFailed(Exception ex, string handoffId);
}
