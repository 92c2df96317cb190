using System.Collections.Immutable;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Handoffs;
using Huddle.Contracts.Patients;
using Huddle.Contracts.Presence;
using Huddle.Grains.Common;
using Microsoft.Extensions.Logging;

namespace Huddle.Grains.Handoffs;

/// <summary>
/// One warm handoff. Commands run one at a time in this activation, so of two accepts exactly one
/// wins, and a cancel racing an accept sees the other's outcome. The escalation deadline lives in the
/// persisted handoff; while it is pending an Orleans reminder (durable: it re-activates this grain
/// after a deactivation or a silo restart) and, while active, a one-shot timer on the domain clock
/// (sub-minute precision; a test moves it) both deliver the same tick, which climbs whatever steps
/// are due. After every stored change the requester's and every pinged clinician's inbox and the
/// team's desk get the new summary.
/// </summary>
public sealed partial class HandoffGrain(
    [PersistentState(StorageNames.HandoffState, StorageNames.Huddle)] IPersistentState<HandoffState> state,
    HuddleClock clock,
    ILogger<HandoffGrain> logger) : Grain, IHandoffGrain, IRemindable
{
    /// <summary>The reminder that carries the escalation deadline across deactivations and restarts.</summary>
    public const string EscalationReminder = "escalation";

    /// <summary>Orleans' shortest reminder period: the reminder is the backstop, the timer the precise one.</summary>
    private static readonly TimeSpan ReminderPeriod = TimeSpan.FromMinutes(1);

    private ITimer? _timer;
    private IRemindable? _self;

    private string HandoffId => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _self = this.AsReference<IRemindable>();
        ArmTimer();
        return base.OnActivateAsync(cancellationToken);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        return base.OnDeactivateAsync(reason, cancellationToken);
    }

    public async Task<Result<HandoffSummary>> RequestAsync(string actorId, RequestHandoff request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Repeated(actorId, request) is { } repeated)
        {
            return repeated;
        }

        if (state.State.Handoff is { } existing)
        {
            return HandoffErrors.Illegal(request.Op, existing.Status);
        }

        if (!Ids.IsValid(request.TeamId))
        {
            return HuddleError.InvalidId("A team id");
        }

        // The profile, the policy and the roster in one round: the ping waits for no other read.
        if (await ReadTeamAsync(request.TeamId) is not { } team)
        {
            return HuddleError.NotFound("Team", request.TeamId);
        }

        var now = clock.UtcNow;
        var created = HandoffRules.Request(HandoffId, actorId, request, team.Profile, now);
        if (created.Error is { } error)
        {
            LogRejected(HandoffId, request.Op, actorId, error.Code);
            return error;
        }

        var (routed, pinged) = Escalation.Advance(created.Value!, team.Policy, team.Roster, now);
        await CommitAsync(actorId, request, routed, pinged, now);
        return routed.Summary();
    }

    public async Task<Result<HandoffSummary>> ExecuteAsync(string actorId, HandoffCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (state.State.Handoff is not { } handoff)
        {
            return HuddleError.NotFound("Handoff", HandoffId);
        }

        if (Repeated(actorId, command) is { } repeated)
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
            (next, pinged) = await ReadTeamAsync(next.TeamId) is { } team ? Escalation.Advance(next, team.Policy, team.Roster, now) : (next, pinged);
        }

        await CommitAsync(actorId, command, next, pinged, now);
        await FollowPresenceAsync(actorId, command);
        return next.Summary();
    }

    public async Task<Result<Handoff>> OpenAsync(string userId)
    {
        if (state.State.Handoff is not { } handoff)
        {
            return HuddleError.NotFound("Handoff", HandoffId);
        }

        if (!handoff.Involved.Contains(userId)
            && await GrainFactory.GetGrain<ICareTeamGrain>(handoff.TeamId).GetAccessAsync(userId) != TeamAccess.Member)
        {
            return HuddleError.Forbidden("Only the requester, the clinicians it was sent to and members of its team can open a handoff.");
        }

        // Every read of the patient's details is logged by ids, for the audit trail.
        LogOpened(HandoffId, userId, handoff.PatientId);
        return handoff;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (state.State.Handoff is { Status: HandoffStatus.Requested, DeadlineAt: { } due } handoff && due <= clock.UtcNow)
        {
            var now = clock.UtcNow;
            if (await ReadTeamAsync(handoff.TeamId) is { } team)
            {
                var (next, pinged) = Escalation.Advance(handoff, team.Policy, team.Roster, now);
                await CommitAsync(null, null, next, pinged, now);
                return;
            }
        }

        await ArmAsync();
    }

    /// <summary>The first result of a command whose op id this actor already used, or an error for a reused id; null for a new one.</summary>
    private Result<HandoffSummary>? Repeated(string actorId, HandoffCommand command)
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

        if (earlier.Op != command.Op)
        {
            return HuddleError.Invalid($"opId '{opId}' was already used for '{earlier.Op}'; use a new id for a new operation.");
        }

        LogRepeated(HandoffId, command.Op, actorId, earlier.Version);
        return state.State.Handoff!.Summary();
    }

    /// <summary>What routing and escalation decide with: the team's profile, its policy and each member's presence now.</summary>
    private sealed record TeamFacts(CareTeamProfile Profile, EscalationPolicy Policy, IReadOnlyList<RosterEntry> Roster);

    /// <summary>
    /// The team's profile, escalation policy and presence roster, asked all at once (one round of calls
    /// to warm grains, whatever the team's size); null when there is no such team. A member the roster
    /// has not heard of yet (just added to the team) is asked directly.
    /// </summary>
    private async Task<TeamFacts?> ReadTeamAsync(string teamId)
    {
        var profileRead = GrainFactory.GetGrain<ICareTeamGrain>(teamId).GetProfileAsync();
        var policyRead = GrainFactory.GetGrain<ITeamHandoffsGrain>(teamId).GetPolicyAsync();
        var rosterRead = GrainFactory.GetGrain<ITeamPresenceGrain>(teamId).RosterAsync();
        await Task.WhenAll(profileRead, policyRead, rosterRead);
        if (await profileRead is not { } profile)
        {
            return null;
        }

        var known = (await rosterRead).ToDictionary(p => p.UserId, StringComparer.Ordinal);
        var presences = await Task.WhenAll(profile.Members.Select(m => known.TryGetValue(m.UserId, out var p)
            ? Task.FromResult(p)
            : GrainFactory.GetGrain<IPresenceGrain>(m.UserId).GetAsync()));
        var roster = profile.Members.Zip(presences, (m, p) => new RosterEntry(m.UserId, m.Role, p.Status, p.Since)).ToList();
        return new TeamFacts(profile, await policyRead, roster);
    }

    /// <summary>Stores <paramref name="next"/> (with the op id, in one write), re-arms the deadline and tells the inboxes and the team.</summary>
    private async Task CommitAsync(string? actorId, HandoffCommand? command, Handoff next, ImmutableArray<string> pinged, DateTimeOffset now)
    {
        var (before, operationsBefore) = (state.State.Handoff, state.State.Operations);
        if (before is not null && ReferenceEquals(before, next))
        {
            await ArmAsync();
            return;
        }

        if (command?.OpId is { } opId)
        {
            state.State.Operations = operationsBefore.With(new AppliedOperation(actorId!, opId, command.Op, next.Version, now));
        }

        state.State.Handoff = next;
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception ex)
        {
            // Memory never runs ahead of storage; the next call reloads what was really stored.
            (state.State.Handoff, state.State.Operations) = (before, operationsBefore);
            LogWriteFailed(ex, HandoffId);
            DeactivateOnIdle();
            throw;
        }

        // The pings go out first, then the log line and the reminder's write: a ping never waits for
        // the reminder table, and the command still returns only once the deadline is durable.
        var told = TellAsync(next, pinged);
        LogChanged(HandoffId, command?.Op ?? "escalate", actorId ?? Escalation.System, next.Status, next.BusinessStatus, next.Version);
        await Task.WhenAll(told, ArmAsync());
    }

    /// <summary>
    /// Sends the new summary to every involved inbox, the team's desk and the patient. A failure there is logged,
    /// not returned: the handoff is stored, and the next change (or an open) brings everyone up to date.
    /// </summary>
    private async Task TellAsync(Handoff handoff, ImmutableArray<string> pinged)
    {
        var summary = handoff.Summary();
        // The pinged inboxes first: theirs are the calls a consultant's phone is waiting for.
        var deliveries = handoff.Involved
            .OrderBy(u => pinged.Contains(u) ? 0 : 1)
            .Select(u => GrainFactory.GetGrain<IInboxGrain>(u).DeliverAsync(summary, pinged.Contains(u)))
            .Append(GrainFactory.GetGrain<ITeamHandoffsGrain>(handoff.TeamId).TrackAsync(summary, HandoffMetrics.OutcomeOf(handoff)))
            .Append(GrainFactory.GetGrain<IPatientGrain>(handoff.PatientId).TrackHandoffAsync(summary));
        try
        {
            await Task.WhenAll(deliveries);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogTellFailed(ex, HandoffId);
        }
    }

    /// <summary>Joining puts the consultant "in session"; completing takes them back out of it.</summary>
    private async Task FollowPresenceAsync(string actorId, HandoffCommand command)
    {
        var presence = GrainFactory.GetGrain<IPresenceGrain>(actorId);
        try
        {
            if (command is JoinHandoff)
            {
                await presence.SetStatusAsync(PresenceStatus.InSession);
            }
            else if (command is CompleteHandoff && (await presence.GetAsync()).Chosen == PresenceStatus.InSession)
            {
                await presence.SetStatusAsync(PresenceStatus.Available);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogTellFailed(ex, HandoffId);
        }
    }

    /// <summary>Keeps the reminder and the timer on the stored deadline, or removes both when none is pending.</summary>
    private async Task ArmAsync()
    {
        ArmTimer();
        if (PendingWait() is { } wait)
        {
            // A little after the timer: normally the timer takes the step and the reminder finds nothing due.
            await this.RegisterOrUpdateReminder(EscalationReminder, wait + TimeSpan.FromSeconds(1), ReminderPeriod);
        }
        else if (await this.GetReminder(EscalationReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
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

    private TimeSpan? PendingWait() => state.State.Handoff is { Status: HandoffStatus.Requested, DeadlineAt: { } due }
        ? (due - clock.UtcNow) is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero
        : null;

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handoff {HandoffId}: an inbox, the team's desk or a presence could not be told")]
    private partial void LogTellFailed(Exception ex, string handoffId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handoff {HandoffId}: the escalation timer's tick failed; the reminder will retry")]
    private partial void LogTickFailed(Exception ex, string handoffId);
}
