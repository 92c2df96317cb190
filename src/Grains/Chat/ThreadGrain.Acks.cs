using System.Collections.Immutable;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Chat;
using Huddle.Contracts.Common;
using Huddle.Contracts.Handoffs;
using Huddle.Contracts.Live;
using Huddle.Contracts.Patients;
using Huddle.Grains.Handoffs;
using Huddle.Grains.Live;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Huddle.Grains.Chat;

/// <summary>
/// Mentions, messages to a role, acknowledgement requests and chat notifications (docs/architecture.md,
/// "Acknowledgement requests and chat notifications").
/// <para>
/// A message to a role resolves at send time through the handoffs' own routing (<see cref="TeamFacts"/>,
/// <see cref="Routing.FirstReach"/>), so it reaches whom a handoff to that role would. What a send promises
/// others — each recipient's notification — is written as an outbox in the send's own write, hinted to the
/// hosts where the recipient watches their inbox and delivered to the inbox (which publishes it on the inbox
/// feed, as a handoff ping), retried until each inbox call returns: a grain timer with backoff while active,
/// the reminder after a restart. An open acknowledgement request lives in the row and re-notifies on the
/// handoffs' escalation mechanism: a timer on the domain clock while active and a durable reminder across
/// deactivations, both delivering the same tick, which takes whatever is due (<see cref="AckRules"/>).
/// </para>
/// </summary>
public sealed partial class ThreadGrain : IRemindable
{
    /// <summary>The reminder that carries open acknowledgement requests and owed notifications across deactivations and restarts.</summary>
    public const string AckReminder = "chat-acks";

    /// <summary>
    /// The most notifications a thread may owe at once. Normally they are delivered within a moment; a thread
    /// whose inboxes stay unreachable refuses further notifying sends (<c>unavailable</c>) rather than grow its row.
    /// </summary>
    public const int MaxOwedNotices = 512;

    private static readonly TimeSpan AckReminderPeriod = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan NoticeRetryFirst = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan NoticeRetryMax = TimeSpan.FromSeconds(30);

    private readonly HashSet<string> _hinted = new(StringComparer.Ordinal);
    private ChatAckOptions? _ackOptions;
    private ITimer? _ackTimer;
    private IGrainTimer? _noticer;
    private TimeSpan _noticeBackoff;
    private IRemindable? _self;
    private bool? _reminderHeld;
    private bool _outboxUnsaved;

    private ChatAckOptions AckOptions => _ackOptions ??= ServiceProvider.GetRequiredService<IOptions<ChatAckOptions>>().Value;

    /// <summary>What a send asks for, resolved before it is stored: the message's asks and who is notified of what.</summary>
    private sealed record AskPlan(MessageAsk? Ask, ImmutableArray<(string UserId, ChatNoticeKind Kind)> Notify, string Where, CareTeamRole? Role);

    public async Task<Result<MessageSent>> AcknowledgeAsync(string userId, long seq, string clientMessageId)
    {
        if (!Ids.IsValid(clientMessageId))
        {
            return HuddleError.InvalidId("A clientMessageId");
        }

        var members = await MembersAsync();
        if (Refusal(userId, members) is { } denied)
        {
            LogRejected(ThreadId, userId, denied.Code);
            return denied;
        }

        if (await EarlierAsync(userId, clientMessageId, ClientIds.AckHashOf(seq)) is { } earlier)
        {
            return earlier;
        }

        if (state.State.AckRequests.FirstOrDefault(r => r.Seq == seq) is not { } request)
        {
            var refused = await AckRefusalAsync(userId, seq);
            LogRejected(ThreadId, userId, refused.Code);
            return refused;
        }

        if (!request.Recipients.Contains(userId))
        {
            LogRejected(ThreadId, userId, ErrorCodes.Forbidden);
            return HuddleError.Forbidden("Only the clinicians a message asked to acknowledge it can acknowledge it.");
        }

        if (request.AckOf(userId) is { } first)
        {
            // Another device (or a second press) after the first acknowledgement: nothing more to record.
            LogAckRepeated(ThreadId, seq, userId);
            return new MessageSent(ThreadId, first.ClientMessageId, first.Seq, first.At);
        }

        var entry = await AppendAsync(
            next => new ThreadMessage(ThreadId, next, userId, clientMessageId, "", MessagePriority.Normal, clock.UtcNow, ThreadEntryKind.Acknowledge, seq),
            members!,
            stored =>
            {
                var before = state.State.AckRequests;
                state.State.AckRequests = AckRules.Keep(before, AckRules.Acknowledge(request, new AckBy(userId, stored.Seq, clientMessageId, stored.At)));
                return () => state.State.AckRequests = before;
            });
        LogAcked(ThreadId, seq, userId, entry.Seq);
        return entry;
    }

    /// <summary>
    /// The tick of the reminder and of the re-notification timer: takes every step due, then delivers what is owed
    /// (the retention reminder's tick runs a retention check instead).
    /// </summary>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == RetentionReminder)
        {
            await CheckRetentionAsync();
            return;
        }

        var now = clock.UtcNow;
        var due = state.State.AckRequests.Where(r => r.NextAt <= now).ToList();
        if (due.Count > 0 && await MembersAsync() is { } members)
        {
            var where = await WhereAsync();
            foreach (var request in due)
            {
                await StepAsync(request, members, where, now);
            }
        }

        ArmAckTimer();
        await DeliverOwedAsync();
    }

    /// <summary>Why <paramref name="userId"/> cannot acknowledge seq <paramref name="seq"/>, which has no request in the row.</summary>
    private async Task<HuddleError> AckRefusalAsync(string userId, long seq)
    {
        var target = seq >= 1 && seq <= _stored.Seq ? (await ReadRangeAsync(seq, seq)).FirstOrDefault() : null;
        return target switch
        {
            null or { Kind: not ThreadEntryKind.Message } => HuddleError.NotFound("Message", seq.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            { Ask: { AckRequested: true } ask } when ask.Recipients.Contains(userId) =>
                HuddleError.State("This acknowledgement request closed long ago: there is nothing left to acknowledge."),
            { Ask.AckRequested: true } => HuddleError.Forbidden("Only the clinicians a message asked to acknowledge it can acknowledge it."),
            _ => HuddleError.State("This message does not ask for an acknowledgement."),
        };
    }

    /// <summary>Why a message's asks are malformed (before any read), or null.</summary>
    private static HuddleError? InvalidAsk(SendMessage message)
    {
        var mentions = message.Mentions ?? [];
        var roles = message.RoleMentions ?? [];
        if (mentions.Any(m => !Ids.IsValid(m)))
        {
            return HuddleError.InvalidId("A mentioned user id");
        }

        if (roles.Any(r => r is null)
            || roles.Append(message.ToRole).OfType<RoleOnTeam>().Any(r => !Enum.IsDefined(r.Role) || (r.TeamId is not null && !Ids.IsValid(r.TeamId))))
        {
            return HuddleError.Invalid("A role is one of the care team roles, on a team named by a valid team id.");
        }

        var count = mentions.Distinct(StringComparer.Ordinal).Count() + roles.Distinct().Count() + (message.ToRole is null ? 0 : 1);
        return count > AckLimits.MaxMentions
            ? HuddleError.Invalid($"A message mentions or addresses at most {AckLimits.MaxMentions} clinicians and roles (this one {count}).")
            : null;
    }

    /// <summary>
    /// Resolves what <paramref name="message"/> asks for: checks each mention against the thread's members and
    /// each role against its team, routes each role as a handoff would, and decides who is notified of what.
    /// Null when the message asks for nothing and is not urgent (no reads at all).
    /// </summary>
    private async Task<Result<AskPlan?>> PlanAskAsync(string userId, SendMessage message, ImmutableHashSet<string> members)
    {
        var mentions = (message.Mentions ?? []).Distinct(StringComparer.Ordinal).ToImmutableArray();
        var roleMentions = (message.RoleMentions ?? []).Distinct().ToImmutableArray();
        var asks = message.AckRequested || !mentions.IsEmpty || !roleMentions.IsEmpty || message.ToRole is not null;
        if (!asks && message.Priority != MessagePriority.Urgent)
        {
            return (AskPlan?)null;
        }

        if (message.AckRequested && state.State.AckRequests.Count(r => r.IsOpen) >= AckLimits.MaxOpen)
        {
            return HuddleError.Limit($"This thread already has {AckLimits.MaxOpen} open acknowledgement requests: wait until one is acknowledged or closes.");
        }

        if (state.State.NoticeOutbox.Length >= MaxOwedNotices)
        {
            return new HuddleError(ErrorCodes.Unavailable, "Notifications of this thread cannot be delivered right now; send again shortly.");
        }

        if (mentions.FirstOrDefault(m => !members.Contains(m)) is { } stranger)
        {
            return HuddleError.Invalid($"'{stranger}' is not a member of this thread: only its members can be mentioned.");
        }

        // Each role on its team, routed as a handoff to that role would be.
        var reached = ImmutableArray.CreateBuilder<RoleReach>();
        var toRole = ImmutableArray<string>.Empty;
        foreach (var role in roleMentions.Append(message.ToRole).OfType<RoleOnTeam>().Distinct())
        {
            var resolved = await ResolveRoleAsync(userId, role, members);
            if (resolved.Error is { } error)
            {
                return error;
            }

            reached.Add(resolved.Value!);
            if (role == message.ToRole)
            {
                toRole = resolved.Value!.UserIds;
            }
        }

        var named = mentions.Concat(reached.SelectMany(r => r.UserIds)).Where(u => u != userId).Distinct(StringComparer.Ordinal).ToImmutableArray();
        var others = members.Where(m => m != userId).Order(StringComparer.Ordinal).ToImmutableArray();
        var recipients = message.AckRequested && named.IsEmpty ? others : named;
        if (message.AckRequested && recipients.IsEmpty)
        {
            return HuddleError.Invalid("Nobody else is in this thread to acknowledge the message.");
        }

        var notify = recipients.Select(r => (r, message.AckRequested ? ChatNoticeKind.AckRequested
            : toRole.Contains(r) && !mentions.Contains(r) ? ChatNoticeKind.RoleMessage : ChatNoticeKind.Mention)).ToList();
        if (message.Priority == MessagePriority.Urgent)
        {
            notify.AddRange(others.Where(o => !recipients.Contains(o)).Select(o => (o, ChatNoticeKind.Urgent)));
        }

        var ask = asks ? new MessageAsk(message.AckRequested, mentions, roleMentions, message.ToRole, reached.ToImmutable(), recipients) : null;
        return new AskPlan(ask, [.. notify], await WhereAsync(), message.ToRole?.Role);
    }

    /// <summary>Whom <paramref name="role"/> reaches now: the team's members holding it whom the handoff routing would ping (never the sender).</summary>
    private async Task<Result<RoleReach>> ResolveRoleAsync(string userId, RoleOnTeam role, ImmutableHashSet<string> members)
    {
        var (kind, subject) = Subject!.Value;
        string? teamId;
        switch (kind)
        {
            case ThreadKind.Team when role.TeamId is null || role.TeamId == subject:
                teamId = subject;
                break;
            case ThreadKind.Team:
                return HuddleError.Invalid("A team's thread mentions roles of its own team only.");
            case ThreadKind.Patient:
                var teams = (await GrainFactory.Grain<IPatientGrain>(subject!).GetAsync())?.TeamIds ?? [];
                teamId = role.TeamId ?? (teams.Length == 1 ? teams[0] : null);
                if (teamId is null || !teams.Contains(teamId))
                {
                    return HuddleError.Invalid(role.TeamId is null
                        ? "This patient is on several care teams: name the team of the role."
                        : $"Team '{role.TeamId}' is not one of this patient's care teams.");
                }

                break;
            default:
                return HuddleError.Invalid("A direct thread has no team roles to mention or address.");
        }

        if (await TeamFacts.ReadAsync(GrainFactory, teamId!) is not { } team)
        {
            return HuddleError.NotFound("Team", teamId!);
        }

        var word = ChatNotices.RoleWord(role.Role);
        if (!team.Roster.Any(m => m.Role == role.Role))
        {
            return HuddleError.Invalid($"Nobody on team '{teamId}' holds the role {word}.");
        }

        var reach = Routing.FirstReach(team.Roster.Where(m => m.UserId != userId && members.Contains(m.UserId)), role.Role, team.Policy.PingAllAtOnce);
        if (reach.IsEmpty)
        {
            return HuddleError.State($"No {word} on team '{teamId}' can be reached now (offline, in session or do-not-disturb): message a colleague by name, or request a handoff.");
        }

        return new RoleReach(role with { TeamId = teamId }, reach);
    }

    /// <summary>Where the thread is, in the notification's PHI-free words.</summary>
    private async Task<string> WhereAsync()
    {
        var (kind, subject) = Subject!.Value;
        var name = kind == ThreadKind.Team ? (await GrainFactory.Grain<ICareTeamGrain>(subject!).GetProfileAsync())?.Name : null;
        return ChatNotices.Where(kind, name);
    }

    /// <summary>Adds to the row, for the write that stores <paramref name="stored"/>, the request it opens and the notifications it owes; returns the undo.</summary>
    private Action StageAsk(AskPlan plan, ThreadMessage stored)
    {
        var (requestsBefore, outboxBefore) = (state.State.AckRequests, state.State.NoticeOutbox);
        if (plan.Ask?.AckRequested == true)
        {
            state.State.AckRequests = AckRules.Keep(requestsBefore, AckRules.Open(stored, AckOptions));
        }

        var urgent = stored.Priority == MessagePriority.Urgent;
        state.State.NoticeOutbox = outboxBefore.AddRange(plan.Notify.Select(n => new OwedNotice(n.UserId,
            new ChatNotice(ThreadId, stored.Seq, n.Kind, 0, ChatNotices.Text(n.Kind, plan.Where, urgent, plan.Role), stored.At))));
        return () => (state.State.AckRequests, state.State.NoticeOutbox) = (requestsBefore, outboxBefore);
    }

    /// <summary>
    /// <paramref name="owed"/> with a re-notification's <paramref name="notices"/> about message <paramref name="seq"/>:
    /// each replaces its recipient's undelivered notification of that message (they get the newest, once), and
    /// recipients with none owed are added only while fewer than <see cref="MaxOwedNotices"/> are owed. So while
    /// inboxes stay unreachable, rounds do not pile up in the row: a recipient whose notification is not owed
    /// (it was delivered) and finds no room misses a reminder round, which the log says.
    /// </summary>
    private ImmutableArray<OwedNotice> Renotified(ImmutableArray<OwedNotice> owed, long seq, IReadOnlyList<OwedNotice> notices)
    {
        var replaced = notices.Where(n => owed.Any(o => o.Notice.Seq == seq && o.UserId == n.UserId)).Select(n => n.UserId).ToHashSet(StringComparer.Ordinal);
        var kept = owed.RemoveAll(o => o.Notice.Seq == seq && replaced.Contains(o.UserId));
        var room = Math.Max(0, MaxOwedNotices - owed.Length);
        var added = notices.Where(n => !replaced.Contains(n.UserId)).ToList();
        if (added.Count > room)
        {
            LogRenotifyShed(ThreadId, seq, added.Count - room);
        }

        return kept.AddRange(notices.Where(n => replaced.Contains(n.UserId))).AddRange(added.Take(room));
    }

    /// <summary>After a write that opened, changed or closed a request or owes notifications: deliver now, keep the timer and the reminder on what is pending.</summary>
    private void AfterAskStored()
    {
        ArmAckTimer();
        ScheduleNotices(TimeSpan.Zero);
    }

    /// <summary>
    /// Takes the step due of <paramref name="request"/>: a re-notification (one write), or the sender told and
    /// the request closed (a log entry). Before the sender is told, a role nobody answered is routed once
    /// more: a holder reached now and never asked (one who came on duty, or whom a failed team read kept
    /// from the last re-notification) is asked and given one more interval, once.
    /// </summary>
    private async Task StepAsync(AckRequest request, ImmutableHashSet<string> members, string where, DateTimeOffset now)
    {
        var (next, step) = AckRules.Step(request, AckOptions, now);
        if (step == AckStep.Unanswered && AckRules.MayRouteLate(request, AckOptions)
            && await RerouteAsync(request, members) is { IsEmpty: false } late)
        {
            await RerouteStoredAsync(request, AckRules.RouteLate(request, late, AckOptions, now), late, members, now, remind: false, where);
            return;
        }

        if (step == AckStep.Renotify)
        {
            // A role still unanswered also reaches whoever holds it now and can be reached (the one first
            // reached may have gone off duty): they are asked too, and any holder's acknowledgement answers it.
            var added = await RerouteAsync(next, members);
            await RerouteStoredAsync(request, added.IsEmpty ? next : AckRules.Reroute(next, added), added, members, now, remind: true, where);
            return;
        }

        if (step != AckStep.Unanswered)
        {
            return;
        }

        // The sender is told (a notification), and the message shows it to everyone (a log entry naming who is waiting).
        var waiting = next.Waiting;
        await AppendAsync(
            seq => new ThreadMessage(ThreadId, seq, AckLimits.System, $"ack-unanswered-{request.Seq}", "",
                request.Urgent ? MessagePriority.Urgent : MessagePriority.Normal, now, ThreadEntryKind.AckUnanswered, request.Seq, Waiting: waiting),
            members,
            stored =>
            {
                var (requestsBefore, outboxBefore) = (state.State.AckRequests, state.State.NoticeOutbox);
                state.State.AckRequests = AckRules.Keep(requestsBefore, next);
                if (members.Contains(request.SenderId))
                {
                    var count = next.Count;
                    var text = ChatNotices.Text(ChatNoticeKind.AckUnanswered, where, waiting: count.Asked - count.Acked, asked: count.Asked);
                    state.State.NoticeOutbox = outboxBefore.Add(new OwedNotice(request.SenderId,
                        new ChatNotice(ThreadId, request.Seq, ChatNoticeKind.AckUnanswered, 0, text, stored.At)));
                }

                return () => (state.State.AckRequests, state.State.NoticeOutbox) = (requestsBefore, outboxBefore);
            });
        LogUnanswered(ThreadId, request.Seq, waiting.Length);
    }

    /// <summary>
    /// Stores a re-notification step of <paramref name="request"/> as <paramref name="next"/>: the clinicians
    /// <paramref name="added"/> reaches are asked (the request itself), everyone else still waiting is reminded
    /// when <paramref name="remind"/>; with clinicians added, one log entry in the same write tells every screen.
    /// </summary>
    private async Task RerouteStoredAsync(AckRequest request, AckRequest next, ImmutableArray<RoleReach> added,
        ImmutableHashSet<string> members, DateTimeOffset now, bool remind, string where)
    {
        var fresh = added.SelectMany(a => a.UserIds).ToHashSet(StringComparer.Ordinal);
        var reminder = ChatNotices.Text(ChatNoticeKind.AckReminder, where, round: next.Renotified, rounds: AckOptions.AckRenotifyCount);
        var asked = ChatNotices.Text(ChatNoticeKind.AckRequested, where, request.Urgent);
        // A recipient who has left the thread's teams is no longer told about it.
        var notices = next.Waiting.Where(members.Contains).Where(u => remind || fresh.Contains(u)).Select(u => new OwedNotice(u, fresh.Contains(u)
            ? new ChatNotice(ThreadId, request.Seq, ChatNoticeKind.AckRequested, next.Renotified, asked, now)
            : new ChatNotice(ThreadId, request.Seq, ChatNoticeKind.AckReminder, next.Renotified, reminder, now))).ToList();
        Action Stage()
        {
            var (requestsBefore, outboxBefore) = (state.State.AckRequests, state.State.NoticeOutbox);
            state.State.AckRequests = AckRules.Keep(requestsBefore, next);
            state.State.NoticeOutbox = Renotified(outboxBefore, request.Seq, notices);
            return () => (state.State.AckRequests, state.State.NoticeOutbox) = (requestsBefore, outboxBefore);
        }

        if (added.IsEmpty)
        {
            await PersistAsync(Stage());
        }
        else
        {
            // Every member's screen learns whom the request now asks (an entry, folded into the message).
            await AppendAsync(
                seq => new ThreadMessage(ThreadId, seq, AckLimits.System, $"ack-rerouted-{request.Seq}-{next.Renotified}", "",
                    request.Urgent ? MessagePriority.Urgent : MessagePriority.Normal, now, ThreadEntryKind.AckRerouted, request.Seq,
                    Ask: new MessageAsk(false, [], [], null, added, [.. fresh])),
                members,
                _ => Stage());
            LogRerouted(ThreadId, request.Seq, fresh.Count);
        }

        LogRenotified(ThreadId, request.Seq, next.Renotified, notices.Count);
        ScheduleNotices(TimeSpan.Zero);
    }

    /// <summary>
    /// For each role of <paramref name="request"/> nobody has answered: the holders the handoff routing reaches
    /// now that the role had not reached yet (none when routing reaches nobody, or only those already asked).
    /// A failed read reroutes nothing this time: the re-notification goes out as it is.
    /// </summary>
    private async Task<ImmutableArray<RoleReach>> RerouteAsync(AckRequest request, ImmutableHashSet<string> members)
    {
        var acked = request.Acked.Select(a => a.UserId).ToHashSet(StringComparer.Ordinal);
        var added = ImmutableArray.CreateBuilder<RoleReach>();
        foreach (var role in (request.Roles.IsDefault ? [] : request.Roles).Where(r => !r.UserIds.Any(acked.Contains)))
        {
            try
            {
                if ((await ResolveRoleAsync(request.SenderId, role.Role, members)).Value is { } reach
                    && reach.UserIds.Except(role.UserIds, StringComparer.Ordinal).ToImmutableArray() is { IsEmpty: false } fresh)
                {
                    added.Add(role with { UserIds = fresh });
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRerouteFailed(ex, ThreadId, request.Seq);
            }
        }

        return added.ToImmutable();
    }

    /// <summary>On activation: the timer from the stored deadlines, and what is owed delivered (and the reminder checked) at once.</summary>
    private void ActivateAsks()
    {
        _self = this.AsReference<IRemindable>();
        ArmAckTimer();
        if (AsksPending)
        {
            // The reminder may never have been registered (the last activation ended first): checked again.
            _reminderHeld = null;
            ScheduleNotices(TimeSpan.Zero);
        }
    }

    private void DeactivateAsks()
    {
        _ackTimer?.Dispose();
        _noticer?.Dispose();
    }

    private bool AsksPending => !state.State.NoticeOutbox.IsEmpty || state.State.AckRequests.Any(r => r.IsOpen);

    /// <summary>Sets the timer on the domain clock for the earliest open request's next step (a test moves that clock).</summary>
    private void ArmAckTimer()
    {
        _ackTimer?.Dispose();
        _ackTimer = null;
        var open = state.State.AckRequests.Where(r => r.IsOpen).ToList();
        if (open.Count > 0)
        {
            var wait = open.Min(r => r.NextAt!.Value) - clock.UtcNow;
            // The tick is a call to this grain like the reminder's, so it runs in the grain's turn order.
            _ackTimer = clock.Time.CreateTimer(_ => _ = TickAsync(), null, wait <= TimeSpan.Zero ? TimeSpan.Zero : wait, Timeout.InfiniteTimeSpan);
        }
    }

    private async Task TickAsync()
    {
        try
        {
            await _self!.ReceiveReminder(AckReminder, default);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The reminder still stands: it takes the step a minute later at worst.
            LogAckTickFailed(ex, ThreadId);
        }
    }

    private void ScheduleNotices(TimeSpan due)
    {
        _noticer?.Dispose();
        // Real time, not the domain clock; kept alive so an activation never goes idle owing a notification.
        _noticer = this.RegisterGrainTimer(async _ =>
        {
            await DeliverOwedAsync();
        }, new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan) { Interleave = false, KeepAlive = true });
    }

    /// <summary>
    /// Hints each owed notification to the hosts where its recipient watches their inbox (once per activation),
    /// delivers every one to its inbox, writes which were delivered, and keeps the reminder on what is pending.
    /// A failure stays owed and is retried with backoff.
    /// </summary>
    private async Task DeliverOwedAsync()
    {
        var owed = state.State.NoticeOutbox;
        if (!owed.IsEmpty)
        {
            await HintAsync([.. owed.Where(o => !_hinted.Contains(o.UserId + "|" + o.Notice.Key))]);
            var delivered = await Task.WhenAll(owed.Select(async o =>
            {
                try
                {
                    await GrainFactory.Grain<IInboxGrain>(o.UserId).NotifyAsync(o.Notice);
                    return o;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogNoticeFailed(ex, ThreadId, o.UserId, o.Notice.Seq);
                    return null;
                }
            }));
            var done = delivered.OfType<OwedNotice>().ToHashSet();
            if (done.Count > 0)
            {
                state.State.NoticeOutbox = [.. state.State.NoticeOutbox.Where(o => !done.Contains(o))];
                _hinted.ExceptWith(done.Select(o => o.UserId + "|" + o.Notice.Key));
                _outboxUnsaved = true;
            }
        }

        await KeepReminderAsync();
        if (_outboxUnsaved)
        {
            try
            {
                await state.WriteStateAsync();
                _outboxUnsaved = false;
                Acknowledged();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Storage still lists notifications already delivered: a new activation delivers them again,
                // and each inbox recognises them by key.
                LogWriteFailed(ex, ThreadId);
                DeactivateOnIdle();
            }
        }

        if (!state.State.NoticeOutbox.IsEmpty || _reminderHeld is null)
        {
            _noticeBackoff = _noticeBackoff == TimeSpan.Zero ? NoticeRetryFirst : TimeSpan.FromTicks(Math.Min(_noticeBackoff.Ticks * 2, NoticeRetryMax.Ticks));
            ScheduleNotices(_noticeBackoff);
        }
        else
        {
            _noticeBackoff = TimeSpan.Zero;
        }
    }

    /// <summary>
    /// Sends each of <paramref name="owed"/> as a hint (<see cref="InboxChange.Hint"/>, seq 0) to the hosts
    /// where its recipient watches their inbox, after the write that owes it; returns once the hosts have
    /// sent them and <see cref="FeedOptions.HintLead"/> has passed (<see cref="FeedHints"/>; at most
    /// <see cref="FeedOptions.HintWait"/> for the hosts), so the inbox writes come after.
    /// </summary>
    private async Task HintAsync(ImmutableArray<OwedNotice> owed)
    {
        var sends = new List<(IFeedObserver, FeedHint)>();
        foreach (var group in owed.GroupBy(o => o.UserId, StringComparer.Ordinal))
        {
            ImmutableArray<IFeedObserver> hosts;
            try
            {
                hosts = await GrainFactory.Grain<IInboxGrain>(group.Key).HostsAsync();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Their numbered inbox change still comes, a little later.
                LogNoticeFailed(ex, ThreadId, group.Key, 0);
                continue;
            }

            foreach (var o in group)
            {
                _hinted.Add(o.UserId + "|" + o.Notice.Key);
                var hint = new FeedHint(new FeedId(IInboxGrain.Feed, o.UserId), FeedAudiences.User(o.UserId),
                    new InboxChange(o.UserId, 0, null, true, o.Notice.Text, o.Notice.At, Hint: true, Chat: o.Notice));
                foreach (var host in hosts.IsDefault ? [] : hosts)
                {
                    sends.Add((host, hint));
                }
            }
        }

        await FeedHints.SendAsync(sends, feedOptions.Value, (ex, hint) => LogNoticeFailed(ex, ThreadId, hint.Feed.Key, 0), localHosts: LocalFeedHosts.In(ServiceProvider));
    }

    /// <summary>
    /// Registers the reminder ahead of a write that will owe notifications or open a request (null once it is
    /// held), so a crash right after that write's reply still leaves something to wake the thread and deliver
    /// them; the error to answer when it cannot be registered. Held with nothing pending (the write then
    /// failed), the next delivery turn removes it.
    /// </summary>
    private async Task<HuddleError?> HoldReminderAsync()
    {
        if (_reminderHeld == true)
        {
            return null;
        }

        try
        {
            await this.RegisterOrUpdateReminder(AckReminder, AckReminderPeriod, AckReminderPeriod);
            _reminderHeld = true;
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _reminderHeld = null;
            LogAckArmFailed(ex, ThreadId);
            return new HuddleError(ErrorCodes.Unavailable, "Notifications of this thread cannot be scheduled right now; send again shortly.");
        }
    }

    /// <summary>Registers the reminder while anything is pending, removes it when nothing is; a failure is retried by the next delivery turn.</summary>
    private async Task KeepReminderAsync()
    {
        var wanted = AsksPending;
        if (_reminderHeld == wanted)
        {
            return;
        }

        try
        {
            if (wanted)
            {
                await this.RegisterOrUpdateReminder(AckReminder, AckReminderPeriod, AckReminderPeriod);
            }
            else if (await this.GetReminder(AckReminder) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }

            _reminderHeld = wanted;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _reminderHeld = null;
            LogAckArmFailed(ex, ThreadId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Thread {ThreadId} message {Seq} acknowledged by {UserId} (entry {EntrySeq})")]
    private partial void LogAcked(string threadId, long seq, string userId, long entrySeq);

    [LoggerMessage(Level = LogLevel.Information, Message = "Thread {ThreadId} message {Seq} acknowledged again by {UserId}: first reply returned")]
    private partial void LogAckRepeated(string threadId, long seq, string userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Thread {ThreadId} message {Seq}: re-notification {Round} to {Waiting} recipients")]
    private partial void LogRenotified(string threadId, long seq, int round, int waiting);

    [LoggerMessage(Level = LogLevel.Information, Message = "Thread {ThreadId} message {Seq}: an unanswered role now also reaches {Added} clinician(s)")]
    private partial void LogRerouted(string threadId, long seq, int added);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Thread {ThreadId} message {Seq}: the role could not be routed again; re-notified as it was")]
    private partial void LogRerouteFailed(Exception ex, string threadId, long seq);

    [LoggerMessage(Level = LogLevel.Information, Message = "Thread {ThreadId} message {Seq}: re-notifications ran out with {Waiting} recipients waiting; the sender is told")]
    private partial void LogUnanswered(string threadId, long seq, int waiting);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Thread {ThreadId}: the notification of message {Seq} to {UserId} could not be delivered; it stays owed and is retried")]
    private partial void LogNoticeFailed(Exception ex, string threadId, string userId, long seq);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Thread {ThreadId} message {Seq}: {Shed} re-notifications not queued, the thread already owes as many notifications as it may hold (inboxes unreachable)")]
    private partial void LogRenotifyShed(string threadId, long seq, int shed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Thread {ThreadId}: the acknowledgement reminder could not be registered or removed; retried")]
    private partial void LogAckArmFailed(Exception ex, string threadId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Thread {ThreadId}: the acknowledgement timer's tick failed; the reminder will retry")]
    private partial void LogAckTickFailed(Exception ex, string threadId);
}
