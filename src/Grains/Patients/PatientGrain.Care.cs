using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using Huddle.Contracts.Boards;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Handoffs;
using Huddle.Contracts.Patients;
using Huddle.Contracts.Registry;
using Huddle.Grains.Common;
using Microsoft.Extensions.Logging;

namespace Huddle.Grains.Patients;

/// <summary>
/// The patient's measurement-based care: PHQ-9 and GAD-7 scores, enrolment in a team's Collaborative
/// Care registry, care-manager contacts and psychiatric case reviews. One write answers a change (the
/// item's history page first, then the row with what it owes); the owed tells then go out at once and,
/// if any fails, again on the <c>care</c> reminder every minute until each is answered. While the
/// patient is enrolled the same reminder runs daily, so prompts that time brings (4 weeks without a
/// contact, week 8 not improving) reach the board's card without anyone writing.
/// </summary>
public sealed partial class PatientGrain
{
    /// <summary>The history streams of the care record's items, each item a page numbered from 1.</summary>
    public const string MeasurementsStream = "measurements";
    public const string ContactsStream = "contacts";
    public const string ReviewsStream = "reviews";

    private const string CareReminder = "care";
    private static readonly TimeSpan RetryEvery = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan DailyCheck = TimeSpan.FromHours(24);
    private static readonly TimeSpan RegistrationRetry = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The reminder period registered by this activation (null: none as far as it knows; <see cref="RegisteredBefore"/>:
    /// one an earlier activation registered, which ticked here).
    /// </summary>
    private TimeSpan? _reminderPeriod;

    /// <summary>A reminder this activation did not register but saw tick: kept or removed at the next check, never left behind.</summary>
    private static readonly TimeSpan RegisteredBefore = TimeSpan.MinValue;

    /// <summary>This activation's quick retry of owed tells (1 s, doubling to a minute); the reminder is the backstop after a crash.</summary>
    private IGrainTimer? _retry;
    private TimeSpan _retryAfter = TimeSpan.FromSeconds(1);

    public async Task<Result<PatientCare>> CareAsync(string actorId, CareCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (state.State.Profile is not { } profile)
        {
            return HuddleError.NotFound("Patient", PatientId);
        }

        if (command.OpId is { } opId && !Ids.IsValid(opId))
        {
            return HuddleError.InvalidId("An opId");
        }

        // Before the op log: someone an administrator took off the team learns nothing from a replay either.
        var team = await CareTeamOfAsync(profile, command, actorId);
        if (team.Error is { } refused)
        {
            return refused;
        }

        var care = state.State.Care ?? CareRecord.Empty;
        var now = clock.UtcNow;
        var hash = command.OpId is null ? null : OperationLog.HashOf(command with { OpId = null });
        if (command.OpId is { } id && care.Operations.Find(actorId, id, now) is { } earlier)
        {
            if (!earlier.IsSameAs(command.Op, hash!))
            {
                return HuddleError.OpIdReused(id, earlier.Op);
            }

            // Applied before (its reply may have been lost): answer the same, and send what it still owes.
            await FlushAsync();
            return await ViewAsync(profile);
        }

        var today = team.Value!.DayAt(now);
        var applied = command switch
        {
            RecordMeasurement m => await MeasureAsync(care, m, actorId, today, now, team.Value),
            Enrol e => EnrolIn(care, e, today, team.Value),
            Discharge d => DischargeFrom(care, d, today),
            LogContact c => await LogContactAsync(care, c, actorId, today, now),
            RecordReview r => await ReviewAsync(care, r, actorId, today),
            _ => HuddleError.Invalid($"Unknown operation '{command.GetType().Name}'."),
        };
        if (applied.Error is { } invalid)
        {
            LogCareRejected(PatientId, command.Op, actorId, invalid.Code);
            return invalid;
        }

        var next = applied.Value! with { Version = care.Version + 1 };
        next = Owe(next, profile, today, next.Owed);
        if (command.OpId is { } op)
        {
            next = next with { Operations = care.Operations.With(new AppliedOperation(actorId, op, command.Op, next.Version, now, hash)) };
        }

        var view = await StoreCareAsync(next, profile, team.Value);
        LogCareAccepted(PatientId, command.Op, actorId, next.Version);
        await FlushAsync();
        return view ?? await ViewAsync(state.State.Profile!, team.Value);
    }

    public async Task<Result<PatientCare>> GetCareAsync(string userId)
    {
        if (state.State.Profile is not { } profile)
        {
            return HuddleError.NotFound("Patient", PatientId);
        }

        return await MemberOfAnyAsync(profile, userId) is { } denied ? denied : await ViewAsync(profile);
    }

    public async Task<Result<MeasurementPage>> GetMeasurementsAsync(string userId, long? before, int limit)
    {
        if (state.State.Profile is not { } profile)
        {
            return HuddleError.NotFound("Patient", PatientId);
        }

        if (await MemberOfAnyAsync(profile, userId) is { } denied)
        {
            return denied;
        }

        if (limit is < 1 or > RegistryLimits.MaxPage || before is < 1)
        {
            return HuddleError.Invalid($"Ask for 1 to {RegistryLimits.MaxPage} measurements before a number of 1 or more.");
        }

        var last = Math.Min(before - 1 ?? long.MaxValue, state.State.Care?.Measured ?? 0);
        var first = Math.Max(1, last - limit + 1);
        var page = new List<Measurement>();
        if (last >= 1)
        {
            await foreach (var stored in history.ReadPagesAsync<Measurement>(this.GetGrainId(), MeasurementsStream, first, last))
            {
                page.Add(stored.Content);
            }
        }

        page.Reverse();
        return new MeasurementPage([.. page], first > 1 ? first : null);
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != CareReminder)
        {
            return;
        }

        // It ticked, so it is registered, whatever this activation knows: one left by an earlier activation
        // for what is no longer owed would otherwise wake the patient every minute (or day) for ever.
        _reminderPeriod ??= RegisteredBefore;
        if (state.State.Care is not { } care || state.State.Profile is not { } profile)
        {
            await EnsureReminderAsync();
            return;
        }

        // Time alone changes prompts (4 weeks without a contact, week 8 not improving): the cards follow.
        var team = await TeamOfAsync(profile, care.Enrolment?.TeamId);
        if (team is not null && RegistryRules.FlagsOf(EntryOf(profile, care), team.DayAt(clock.UtcNow)) is var flags && !flags.SequenceEqual(care.Flags))
        {
            var next = Owe(care with { Version = care.Version + 1 }, profile, team.DayAt(clock.UtcNow), care.Owed);
            await StoreCareAsync(next, profile, team);
        }
        else if (team is not null && _careFeed is { Subscribers: > 0 } && _publishedDay != team.DayAt(clock.UtcNow))
        {
            // A new day changes what a watcher shows (weeks in treatment, minutes this month) without a write.
            await PublishCareAsync(profile, team);
        }

        await FlushAsync();
    }

    private string PatientId => this.GetPrimaryKeyString();

    private RegistryEntry EntryOf(PatientProfile profile, CareRecord care) => care.EntryOf(PatientId, profile.DisplayName, profile.Initials);

    /// <summary>
    /// <paramref name="care"/> with its flags for <paramref name="today"/> and, added to <paramref name="owed"/>,
    /// the registry (of its enrolment's team) and every one of the patient's boards told this version.
    /// </summary>
    private CareRecord Owe(CareRecord care, PatientProfile profile, DateOnly today, ImmutableArray<CareTell> owed)
    {
        var flags = RegistryRules.FlagsOf(EntryOf(profile, care), today);
        var tells = owed.Where(t => t.Kind is CareTellKind.Safety or CareTellKind.Review).ToList();
        if (care.Enrolment is { } enrolment)
        {
            tells.Add(new CareTell(CareTellKind.Registry, enrolment.TeamId, care.Version));
        }

        // A registry this patient left (another team's discharged enrolment) is still owed its drop.
        tells.AddRange(owed.Where(t => t.Kind == CareTellKind.Registry && t.Key != care.Enrolment?.TeamId));
        tells.AddRange(profile.TeamIds.Select(t => new CareTell(CareTellKind.Board, t, care.Version)));
        return care with { Flags = flags, Owed = [.. tells] };
    }

    /// <summary>
    /// Stores <paramref name="next"/> (and the profile's flags with it), then publishes the patient's care
    /// feed and returns the care as published (null when not published or not read); on failure nothing
    /// changes in memory and the activation is retired. <paramref name="team"/> is the team just read.
    /// </summary>
    private async Task<PatientCare?> StoreCareAsync(CareRecord next, PatientProfile profile, CareTeamProfile? team)
    {
        var (careBefore, profileBefore) = (state.State.Care, state.State.Profile);
        state.State.Care = next;
        if (RegistryRules.Merge(profile.Flags, next.Flags) is { } merged)
        {
            state.State.Profile = profile with { Flags = merged };
        }

        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            (state.State.Care, state.State.Profile) = (careBefore, profileBefore);
            DeactivateOnIdle();
            throw;
        }

        return await PublishCareAsync(state.State.Profile!, team);
    }

    private async Task<Result<CareRecord>> MeasureAsync(CareRecord care, RecordMeasurement m, string actorId, DateOnly today, DateTimeOffset now, CareTeamProfile team)
    {
        if (Questionnaires.Check(m.Instrument, m.Items) is { } bad)
        {
            return bad;
        }

        var on = m.On ?? today;
        if (DayError(on, today) is { } badDay)
        {
            return badDay;
        }

        var total = Questionnaires.Total(m.Items);
        var measurement = new Measurement(care.Measured + 1, m.Instrument, on, m.Items, total, Questionnaires.BandOf(m.Instrument, total), actorId, now);
        // The latest PHQ-9 (by day) sets the flag: an older one entered late does not change it.
        var phq9 = m.Instrument == Instrument.Phq9;
        var latest = phq9 && (care.Phq9.IsDefaultOrEmpty || on >= care.Phq9[^1].On);
        // A positive item 9 is owed its safety ping when it is the latest, or when, entered late, it was taken
        // within the PHQ-9's own two weeks: nobody has assessed that answer yet, whatever a later score says.
        // Whom it pings is decided now and kept with the measurement, so the page says what was done.
        CareTell? ping = null;
        if (measurement.RaisesSafetyFlag && (latest || today.DayNumber - on.DayNumber <= RegistryLimits.LateSafetyDays))
        {
            var (pingTeam, careManager) = await SafetyTeamAsync(care, team, actorId);
            var (route, target) = RegistryRules.SafetyRouteOf(careManager, pingTeam, actorId);
            measurement = measurement with { Safety = route };
            ping = target is null ? null : new CareTell(CareTellKind.Safety, $"{measurement.Number}", 0, pingTeam.TeamId, actorId);
        }

        await history.WritePageAsync(this.GetGrainId(), MeasurementsStream, measurement.Number, measurement);

        var point = new TrendPoint(on, total);
        var next = care with
        {
            Measured = measurement.Number,
            Recent = [.. care.Recent.Prepend(measurement).Take(RegistryLimits.RecentMeasurements)],
        };
        if (!phq9)
        {
            return next with { Gad7 = WithPoint(care.Gad7, point) };
        }

        next = next with { Phq9 = WithPoint(care.Phq9, point) };
        if (latest)
        {
            next = next with { SafetyOn = measurement.RaisesSafetyFlag ? on : null };
        }

        return ping is null ? next : next with { Owed = care.Owed.Add(ping) };
    }

    /// <summary>
    /// The team a safety ping from <paramref name="actorId"/> goes out on, and the patient's care manager there:
    /// the enrolment's team when they are on it (its care manager), else the team they entered it for.
    /// </summary>
    private async Task<(CareTeamProfile Team, string? CareManager)> SafetyTeamAsync(CareRecord care, CareTeamProfile acting, string actorId)
    {
        if (care.Enrolment is not { IsActive: true } enrolment)
        {
            return (acting, null);
        }

        var enrolled = enrolment.TeamId == acting.TeamId ? acting : await GrainFactory.Grain<ICareTeamGrain>(enrolment.TeamId).GetProfileAsync();
        return enrolled is not null && enrolled.IsMember(actorId) ? (enrolled, enrolment.CareManagerId) : (acting, null);
    }

    private static Result<CareRecord> EnrolIn(CareRecord care, Enrol e, DateOnly today, CareTeamProfile team)
    {
        if (care.Enrolment is { IsActive: true } active)
        {
            return HuddleError.State($"The patient is already enrolled (team '{active.TeamId}' since {active.EnrolledOn:yyyy-MM-dd}); discharge first.");
        }

        if (!Ids.IsValid(e.CareManagerId) || !team.IsMember(e.CareManagerId))
        {
            return HuddleError.NotFound("Team member", e.CareManagerId);
        }

        if (e.PsychiatristId is { } psychiatrist && (!Ids.IsValid(psychiatrist) || !team.IsMember(psychiatrist)))
        {
            return HuddleError.NotFound("Team member", psychiatrist);
        }

        var on = e.On ?? today;
        if (DayError(on, today) is { } badDay)
        {
            return badDay;
        }

        // A new episode: the review of an earlier one no longer counts, nor do its minutes in the months the new
        // one bills (those of the enrolment's month were the earlier episode's); earlier months stay, as history.
        var owed = care.Enrolment is { } earlier && earlier.TeamId != team.TeamId
            ? care.Owed.Add(new CareTell(CareTellKind.Registry, earlier.TeamId, 0))
            : care.Owed;
        var minutes = care.Enrolment is null ? care.Minutes
            : [.. care.Minutes.Where(m => new DateOnly(m.Year, m.Month, 1) < new DateOnly(on.Year, on.Month, 1))];
        return care with { Enrolment = new Enrolment(team.TeamId, on, e.CareManagerId, e.PsychiatristId), LastReview = null, Owed = owed, Minutes = minutes };
    }

    private static Result<CareRecord> DischargeFrom(CareRecord care, Discharge d, DateOnly today)
    {
        if (care.Enrolment is not { IsActive: true } active)
        {
            return HuddleError.State("The patient is not enrolled.");
        }

        var on = d.On ?? today;
        if (DayError(on, today) is { } badDay)
        {
            return badDay;
        }

        return on < active.EnrolledOn
            ? HuddleError.Invalid("A discharge cannot be before the enrolment.")
            : care with { Enrolment = active with { DischargedOn = on } };
    }

    private async Task<Result<CareRecord>> LogContactAsync(CareRecord care, LogContact c, string actorId, DateOnly today, DateTimeOffset now)
    {
        if (care.Enrolment is not { IsActive: true } active)
        {
            return HuddleError.State("Contacts are logged for an enrolled patient.");
        }

        if (!Enum.IsDefined(c.Kind))
        {
            return HuddleError.Invalid("A contact is by phone, inPerson, video or portal.");
        }

        if (c.Minutes is < 1 or > RegistryLimits.ContactMinutes)
        {
            return HuddleError.Invalid($"A contact takes 1-{RegistryLimits.ContactMinutes} minutes.");
        }

        var on = c.On ?? today;
        if (DayError(on, today) is { } badDay)
        {
            return badDay;
        }

        if (on < active.EnrolledOn)
        {
            return HuddleError.Invalid("A contact cannot be before the enrolment.");
        }

        var contact = new CareContact(care.Contacted + 1, on, c.Kind, c.Minutes, actorId, now);
        await history.WritePageAsync(this.GetGrainId(), ContactsStream, contact.Number, contact);
        var month = care.Minutes.FirstOrDefault(x => x.Year == on.Year && x.Month == on.Month) ?? new MonthMinutes(on.Year, on.Month, 0);
        var minutes = care.Minutes.Remove(month).Add(month with { Minutes = month.Minutes + c.Minutes })
            .OrderByDescending(x => x.Year).ThenByDescending(x => x.Month).Take(RegistryLimits.MinuteMonths).Reverse();
        return care with
        {
            Contacted = contact.Number,
            LastContactOn = care.LastContactOn is { } last && last > on ? last : on,
            Minutes = [.. minutes],
        };
    }

    private async Task<Result<CareRecord>> ReviewAsync(CareRecord care, RecordReview r, string actorId, DateOnly today)
    {
        if (care.Enrolment is not { IsActive: true } active)
        {
            return HuddleError.State("Case reviews are for an enrolled patient.");
        }

        var text = r.Recommendation?.Trim();
        if (string.IsNullOrEmpty(text) || text.Length > RegistryLimits.RecommendationLength)
        {
            return HuddleError.Invalid($"A recommendation is 1-{RegistryLimits.RecommendationLength} characters.");
        }

        var review = new CaseReview(care.Reviewed + 1, today, actorId, text);
        await history.WritePageAsync(this.GetGrainId(), ReviewsStream, review.Number, review);
        return care with
        {
            Reviewed = review.Number,
            LastReview = review,
            Owed = care.Owed.Add(new CareTell(CareTellKind.Review, $"{review.Number}", 0, active.TeamId, actorId, text)),
        };
    }

    /// <summary>
    /// Sends every owed tell (at once, side by side) and forgets those answered; what failed stays owed
    /// and the <c>care</c> reminder tries again every minute. Every receiver takes a tell twice without harm.
    /// </summary>
    private async Task FlushAsync()
    {
        if (state.State.Care is not { } care || state.State.Profile is not { } profile)
        {
            return;
        }

        var owed = care.Owed;
        var sent = await Task.WhenAll(owed.Select(t => TellAsync(t, profile, care)));
        var answered = owed.Where((_, i) => sent[i]).ToHashSet();
        if (answered.Count > 0 && state.State.Care is { } now)
        {
            var remaining = now.Owed.Where(t => !answered.Contains(t)).ToImmutableArray();
            var before = state.State.Care;
            state.State.Care = now with { Owed = remaining };
            try
            {
                await state.WriteStateAsync();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Only a forgetting failed: the tells go again (harmlessly) on the next try.
                state.State.Care = before;
                LogCareWriteFailed(ex, PatientId);
            }
        }

        if (state.State.Care is { Owed.IsEmpty: false })
        {
            _retry ??= this.RegisterGrainTimer(RetryAsync, new GrainTimerCreationOptions(_retryAfter, Timeout.InfiniteTimeSpan) { Interleave = false });
            _retryAfter = TimeSpan.FromTicks(Math.Min(_retryAfter.Ticks * 2, RetryEvery.Ticks));
        }
        else
        {
            _retryAfter = TimeSpan.FromSeconds(1);
        }

        await EnsureReminderAsync();
    }

    private Task RetryAsync(CancellationToken cancellationToken)
    {
        _retry?.Dispose();
        _retry = null;
        return FlushAsync();
    }

    /// <summary>True when <paramref name="tell"/> was answered, or can never be (logged and dropped).</summary>
    private async Task<bool> TellAsync(CareTell tell, PatientProfile profile, CareRecord care)
    {
        try
        {
            switch (tell.Kind)
            {
                case CareTellKind.Registry:
                    await GrainFactory.Grain<IRegistryGrain>(tell.Key).TrackAsync(EntryOf(profile, care));
                    return true;
                case CareTellKind.Board:
                    await GrainFactory.Grain<IPanelGrain>(tell.Key).AddOrUpdateAsync(profile);
                    await GrainFactory.Grain<ICareTeamGrain>(tell.Key).SyncRegistryFlagsAsync(PatientId, care.Flags);
                    return true;
                case CareTellKind.Safety:
                    return await SafetyPingAsync(tell, profile, care);
                case CareTellKind.Review:
                    // The board's action items show on the team-room screen: initials and a pointer, never the
                    // recommendation itself (it may name a medicine or a diagnosis); the registry and the patient's page show it.
                    var item = new AddActionItem($"Act on psychiatric review for {profile.Initials} (see registry)",
                        care.Enrolment?.CareManagerId) { OpId = $"review-{Short(PatientId)}-{tell.Key}" };
                    return Delivered(tell, (await GrainFactory.Grain<ICareTeamGrain>(tell.TeamId!).ExecuteAsync(tell.ActorId!, item)).Error);
                default:
                    return true;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogTellFailed(ex, PatientId, tell.Kind, tell.Key);
            return false;
        }
    }

    /// <summary>
    /// A PHQ-9 with item 9 above 0 pings through the warm-handoff path: a stat handoff from whoever
    /// administered it to whom <see cref="RegistryRules.SafetyRouteOf"/> names (the care manager, the
    /// care-manager role, the BHCs), so the inbox, the push to
    /// a locked phone and the escalation are the handoffs' own. Its id is made from the patient and the
    /// measurement, so a repeated tell finds the handoff already requested. The request is sent off this
    /// grain's turn, because the handoff's grain tells this patient of its new handoff before it
    /// answers (awaiting it here would wait on ourselves); that telling (<see cref="TrackHandoffAsync"/>)
    /// is what settles the tell. Until then it is sent again with every flush and on the minute.
    /// </summary>
    /// <returns>True when the tell is settled without a request (nobody to ping, or it can never be made).</returns>
    private async Task<bool> SafetyPingAsync(CareTell tell, PatientProfile profile, CareRecord care)
    {
        var team = await TeamOfAsync(profile, tell.TeamId);
        if (team is null || !profile.TeamIds.Contains(team.TeamId) || !team.IsMember(tell.ActorId!))
        {
            LogTellRefused(PatientId, tell.Kind, tell.Key, ErrorCodes.Forbidden);
            return true;
        }

        // Decided again on the team as it is now (a member may have left since): the care manager there, the role, the BHCs.
        var careManager = care.Enrolment is { IsActive: true } e && e.TeamId == tell.TeamId ? e.CareManagerId : null;
        if (RegistryRules.SafetyRouteOf(careManager, team, tell.ActorId!) is not (_, { } target))
        {
            // The care manager entered it, or nobody else on the team could take it: the page said so.
            return true;
        }

        // The day it was taken, when the answer was entered late (the registry holds the recent measurements).
        var taken = care.Recent.FirstOrDefault(m => $"{m.Number}" == tell.Key) is { } measured && team.DayAt(measured.RecordedAt) != measured.On
            ? $" on the PHQ-9 taken {measured.On.ToString("MMM d", System.Globalization.CultureInfo.InvariantCulture)} (entered later)"
            : "";
        var request = new RequestHandoff(team.TeamId, PatientId, profile.Room ?? "Phone follow-up", target, HandoffPriority.Stat,
            new Sbar($"PHQ-9 item 9 (thoughts of self-harm) above 0{taken}: safety assessment needed now.", Recommendation: "Assess risk and agree a safety plan."))
        { OpId = "safety" };
        var handoff = GrainFactory.Grain<IHandoffGrain>(SafetyHandoffId(tell.Key));
        _ = Task.Run(async () =>
        {
            try
            {
                if ((await handoff.RequestAsync(tell.ActorId!, request)).Error is { Code: not ErrorCodes.InvalidState } error)
                {
                    LogSafetyRefused(PatientId, tell.Key, error.Code);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogTellFailed(ex, PatientId, tell.Kind, tell.Key);
            }
        });
        return false;
    }

    /// <summary>The id of the safety handoff of measurement <paramref name="number"/>.</summary>
    private string SafetyHandoffId(string number) => $"safety-{Short(PatientId)}-{number}";

    /// <summary>An answered tell, or one refused for good (logged): either way it leaves the outbox.</summary>
    private bool Delivered(CareTell tell, HuddleError? error)
    {
        if (error is not null && error.Code != ErrorCodes.InvalidState)
        {
            LogTellRefused(PatientId, tell.Kind, tell.Key, error.Code);
        }

        return error is null || error.Code != ErrorCodes.Unavailable;
    }

    /// <summary>Every minute while tells are owed, daily while enrolled (time changes prompts), none otherwise.</summary>
    private async Task EnsureReminderAsync()
    {
        var care = state.State.Care;
        TimeSpan? wanted = care is null ? null
            : !care.Owed.IsEmpty ? RetryEvery
            : care.Enrolment is { IsActive: true } ? DailyCheck
            : null;
        if (wanted == _reminderPeriod)
        {
            return;
        }

        try
        {
            if (wanted is { } period)
            {
                await this.RegisterOrUpdateReminder(CareReminder, period, period);
            }
            else if (await this.GetReminder(CareReminder) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }

            _reminderPeriod = wanted;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Not only logged: the activation stays (a kept-alive retry) and tries the flush and this
            // registration again, so owed tells never wait for somebody to call. A crash meanwhile leaves
            // them stored, and the next activation picks them up (OnActivateAsync).
            LogCareReminderFailed(ex, PatientId);
            _retry?.Dispose();
            _retry = this.RegisterGrainTimer(RetryAsync, new GrainTimerCreationOptions(RegistrationRetry, Timeout.InfiniteTimeSpan) { Interleave = false, KeepAlive = true });
        }
    }

    /// <summary>
    /// Tells still owed when the last activation ended (a crash, a reminder that could not be registered)
    /// go out soon after this one starts, on a turn of their own: a check of the loaded row, no I/O.
    /// </summary>
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Care is { Owed.IsEmpty: false })
        {
            _retry = this.RegisterGrainTimer(RetryAsync, new GrainTimerCreationOptions(_retryAfter, Timeout.InfiniteTimeSpan) { Interleave = false });
        }

        return base.OnActivateAsync(cancellationToken);
    }

    /// <summary>The care team a command acts in, once <paramref name="actorId"/> may act there.</summary>
    private async Task<Result<CareTeamProfile>> CareTeamOfAsync(PatientProfile profile, CareCommand command, string actorId)
    {
        // A measurement is taken in any of the patient's teams; the rest act in the enrolling team.
        var teamId = command switch
        {
            Enrol e => e.TeamId,
            RecordMeasurement => null,
            _ => state.State.Care?.Enrolment is { IsActive: true } active ? active.TeamId : null,
        };
        if (teamId is not null)
        {
            if (!Ids.IsValid(teamId) || !profile.TeamIds.Contains(teamId))
            {
                return HuddleError.NotFound("Care team of the patient", teamId);
            }

            var team = await TeamOfAsync(profile, teamId);
            return team is null ? HuddleError.NotFound("Team", teamId)
                : team.IsMember(actorId) ? team
                : HuddleError.Forbidden("Only members of the enrolling care team can change the patient's enrolment and care.");
        }

        // A measurement: any team of the patient's that the clinician is on (the enrolling one first).
        foreach (var id in profile.TeamIds.OrderBy(t => t == state.State.Care?.Enrolment?.TeamId ? 0 : 1))
        {
            if (await TeamOfAsync(profile, id) is { } team && team.IsMember(actorId))
            {
                return team;
            }
        }

        return HuddleError.Forbidden("Only clinicians on the patient's care teams can record measurements and care.");
    }

    private async Task<CareTeamProfile?> TeamOfAsync(PatientProfile profile, string? teamId) =>
        (teamId ?? profile.TeamIds.FirstOrDefault()) is { } id ? await GrainFactory.Grain<ICareTeamGrain>(id).GetProfileAsync() : null;

    /// <summary>Null when <paramref name="userId"/> is a clinician on one of the patient's care teams or holds emergency access; otherwise why they may not read <paramref name="what"/>.</summary>
    private async Task<HuddleError?> MemberOfAnyAsync(PatientProfile profile, string userId, string what = "the patient's measurements")
    {
        if (await IsMemberOfAnyAsync(profile, userId))
        {
            return null;
        }

        return await GrainFactory.Grain<IEmergencyAccessGrain>(PatientId).ActiveAsync(userId) is not null
            ? null
            : HuddleError.Forbidden($"Only clinicians on the patient's care teams can read {what}.");
    }

    /// <summary>A date as the pages say it, with its ISO form for API callers: "Friday, January 15, 2027 (2027-01-15)".</summary>
    private static string Said(DateOnly day) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{day:dddd, MMMM d, yyyy} ({day:yyyy-MM-dd})");

    /// <summary>The care as of the enrolling team's today; <paramref name="known"/> is that team when the caller has just read it.</summary>
    private async Task<PatientCare> ViewAsync(PatientProfile profile, CareTeamProfile? known = null)
    {
        var care = state.State.Care ?? CareRecord.Empty;
        var teamId = care.Enrolment?.TeamId ?? profile.TeamIds.FirstOrDefault();
        var team = known is not null && known.TeamId == teamId ? known : await TeamOfAsync(profile, teamId);
        var today = team?.DayAt(clock.UtcNow) ?? DateOnly.FromDateTime(clock.UtcNow.UtcDateTime);
        var entry = EntryOf(profile, care);
        return new PatientCare(entry, RegistryRules.StatusOf(entry, today), care.Recent, today);
    }

    private static ImmutableArray<TrendPoint> WithPoint(ImmutableArray<TrendPoint> trend, TrendPoint point)
    {
        var at = trend.Length;
        while (at > 0 && trend[at - 1].On > point.On)
        {
            at--;
        }

        var next = trend.Insert(at, point);
        return next.Length > RegistryLimits.TrendPoints ? next.RemoveAt(0) : next;
    }

    /// <summary>Null for a day from ten years ago up to today; otherwise why not.</summary>
    private static HuddleError? DayError(DateOnly on, DateOnly today) =>
        on > today ? HuddleError.Invalid($"The date {Said(on)} is in the future: today is {Said(today)} on the team's calendar.")
        : on < today.AddYears(-10) ? HuddleError.Invalid($"The date {Said(on)} is more than ten years ago: check the year.")
        : null;

    /// <summary>A short stable token of an id for derived ids (a patient id may itself be 64 characters).</summary>
    private static string Short(string id) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)))[..16];

    [LoggerMessage(Level = LogLevel.Information, Message = "Patient {PatientId} care {Op} by {ActorId} stored as version {Version}")]
    private partial void LogCareAccepted(string patientId, string op, string actorId, long version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Patient {PatientId} care {Op} by {ActorId} rejected: {Code}")]
    private partial void LogCareRejected(string patientId, string op, string actorId, string code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Patient {PatientId}: telling {Kind} {Key} failed; it stays owed")]
    private partial void LogTellFailed(Exception ex, string patientId, CareTellKind kind, string key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Patient {PatientId}: {Kind} {Key} was refused ({Code}) and is not sent again")]
    private partial void LogTellRefused(string patientId, CareTellKind kind, string key, string code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Patient {PatientId}: the safety handoff of measurement {Number} was refused ({Code}); it stays owed and is asked again")]
    private partial void LogSafetyRefused(string patientId, string number, string code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Patient {PatientId}: forgetting answered tells failed")]
    private partial void LogCareWriteFailed(Exception ex, string patientId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Patient {PatientId}: the care reminder could not be registered")]
    private partial void LogCareReminderFailed(Exception ex, string patientId);
}
