using System.Collections.Immutable;
using Huddle.Contracts.Boards;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Handoffs;

namespace Huddle.Contracts.Registry;

/// <summary>
/// The registry's rules as plain functions of an entry and a day (docs/clinical.md, "Registry"), so a
/// test can call them without a cluster and the grains, the pages and the export agree.
/// </summary>
public static class RegistryRules
{
    /// <summary>Days without a care-manager contact after enrolment, or without a PHQ-9, before the registry prompts (4 weeks).</summary>
    public const int FollowUpDays = 28;

    /// <summary>The week of treatment from which a patient not improving is due for psychiatric case review.</summary>
    public const int ReviewFromWeek = 8;

    /// <summary>How long a recorded review answers the prompt (the next weekly review after 4 weeks asks again).</summary>
    public const int ReviewHoldsDays = 28;

    /// <summary>Remission: a PHQ-9 below this.</summary>
    public const int RemissionBelow = 5;

    /// <summary>
    /// The least baseline PHQ-9 for which response, remission and "not improving" are judged: the measures'
    /// index score is above 9 (CMS159 / NQF 0710 depression remission, NQF 1885 depression response). Below it
    /// (a patient enrolled for anxiety, or mild symptoms) a 50 % drop or a score under 5 says nothing of treatment.
    /// </summary>
    public const int IndexAtLeast = 10;

    /// <summary>
    /// How far before the enrolment day a PHQ-9 may be the baseline (Huddle's choice: the screening that led to
    /// the referral counts; one from an earlier episode or a year before does not).
    /// </summary>
    public const int BaselineDays = 30;

    /// <summary>The flag kinds the registry sets on cards; the rest stay the team's.</summary>
    public static readonly ImmutableArray<FlagKind> OwnedFlags =
        [FlagKind.SafetyRisk, FlagKind.Phq9, FlagKind.Gad7, FlagKind.NeedsPsychReview, FlagKind.ContactDue, FlagKind.MeasurementDue];

    /// <summary>The status of <paramref name="entry"/> on <paramref name="today"/>.</summary>
    public static RegistryStatus StatusOf(RegistryEntry entry, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var active = entry.Enrolment is { IsActive: true } ? entry.Enrolment : null;
        int? weeks = active is null ? null : Math.Max(0, today.DayNumber - active.EnrolledOn.DayNumber) / 7;
        var (baseline, latest) = (entry.Baseline, entry.Latest);
        var followedUp = baseline is not null && latest is not null && latest.On > baseline.On;
        var indexed = baseline is { Total: >= IndexAtLeast };
        double? change = followedUp && baseline!.Total > 0 ? (latest!.Total - baseline.Total) / (double)baseline.Total : null;
        var response = followedUp && indexed && IsResponse(baseline!.Total, latest!.Total);
        var remission = followedUp && indexed && latest!.Total < RemissionBelow;

        var prompts = entry.SafetyOn is null ? RegistryPrompts.None : RegistryPrompts.Safety;
        if (active is not null)
        {
            var enrolledDays = today.DayNumber - active.EnrolledOn.DayNumber;
            if (enrolledDays >= FollowUpDays && (entry.LastContactOn is not { } contact || contact < active.EnrolledOn))
            {
                prompts |= RegistryPrompts.NoContact;
            }

            if (latest is null || today.DayNumber - latest.On.DayNumber >= FollowUpDays)
            {
                prompts |= RegistryPrompts.MeasurementDue;
            }

            var reviewed = entry.LastReview is { } review && today.DayNumber - review.On.DayNumber < ReviewHoldsDays;
            if (weeks >= ReviewFromWeek && indexed && latest is not null && !IsResponse(baseline!.Total, latest.Total) && !reviewed)
            {
                prompts |= RegistryPrompts.PsychiatricReview;
            }
        }

        var firstMonth = active is not null && active.EnrolledOn.Year == today.Year && active.EnrolledOn.Month == today.Month;
        var minutes = entry.MinutesIn(today);
        return new RegistryStatus(weeks, response, remission, prompts, minutes, CocmBilling.For(minutes, firstMonth), change);
    }

    /// <summary>
    /// Whom an item 9 above 0 entered by <paramref name="enteredBy"/> pings on <paramref name="team"/>
    /// (docs/clinical.md, "Safety"): the patient's care manager there (<paramref name="careManagerId"/>, when
    /// enrolled on it and still a member); else whoever else holds the care-manager role; else, when the one who
    /// entered it is the team's care manager, nobody (they know); else the team's behavioral health consultants;
    /// else nobody. A target is one the handoffs' own check accepts: a member other than the requester.
    /// </summary>
    public static (SafetyRoute Route, HandoffTarget? Target) SafetyRouteOf(string? careManagerId, CareTeamProfile team, string enteredBy)
    {
        ArgumentNullException.ThrowIfNull(team);
        bool Others(CareTeamRole role) => team.Members.Any(m => m.Role == role && m.UserId != enteredBy);
        return careManagerId is not null && careManagerId == enteredBy ? (SafetyRoute.EnteredByCareManager, null)
            : careManagerId is not null && team.IsMember(careManagerId) ? (SafetyRoute.CareManager, new HandoffTarget(UserId: careManagerId))
            : Others(CareTeamRole.CareManager) ? (SafetyRoute.CareManagerRole, new HandoffTarget(Role: CareTeamRole.CareManager))
            : team.Members.Any(m => m.UserId == enteredBy && m.Role == CareTeamRole.CareManager) ? (SafetyRoute.EnteredByCareManager, null)
            : Others(CareTeamRole.Bhc) ? (SafetyRoute.BhcRole, new HandoffTarget(Role: CareTeamRole.Bhc))
            : (SafetyRoute.NobodyElse, null);
    }

    /// <summary>
    /// What a just-saved measurement's item 9 led to, as the patient's grain decided it (docs/clinical.md,
    /// "Safety"), for the words after "Saved: PHQ-9 16 (moderately severe)": whether it raised the flag (only the
    /// latest PHQ-9 by day does) and whom it pinged (<see cref="Measurement.Safety"/>).
    /// </summary>
    public static string SafetyWordsAfter(Measurement saved, RegistryEntry entry)
    {
        ArgumentNullException.ThrowIfNull(saved);
        ArgumentNullException.ThrowIfNull(entry);
        if (!saved.RaisesSafetyFlag)
        {
            return ".";
        }

        var pinged = saved.Safety switch
        {
            SafetyRoute.CareManager or SafetyRoute.CareManagerRole => "the care manager was pinged",
            SafetyRoute.BhcRole => "the team has no other care manager, so its behavioral health consultant was pinged",
            SafetyRoute.EnteredByCareManager => "you are the care manager, so no ping was sent: follow your team's suicide-risk protocol",
            SafetyRoute.NobodyElse => "nobody else on the team is a care manager or behavioral health consultant, so no ping was sent: follow your team's suicide-risk protocol",
            _ => null,
        };
        return entry.SafetyOn == saved.On ? $" — safety flag raised; {pinged ?? "no ping was sent"}."
            : pinged is null ? " — item 9 is above 0, but a later PHQ-9 is on file: no safety flag was raised."
            : $" — item 9 is above 0; a later PHQ-9 is on file, so no safety flag was raised, but this answer has not been assessed: {pinged}.";
    }

    /// <summary>Response: at least a 50 % drop from a baseline above 0.</summary>
    public static bool IsResponse(int baseline, int latest) => baseline > 0 && latest * 2 <= baseline;

    /// <summary>The card flags the registry sets for <paramref name="entry"/> today (safety first).</summary>
    public static ImmutableArray<CardFlag> FlagsOf(RegistryEntry entry, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var prompts = StatusOf(entry, today).Prompts;
        var flags = ImmutableArray.CreateBuilder<CardFlag>();
        if (prompts.HasFlag(RegistryPrompts.Safety))
        {
            flags.Add(new CardFlag(FlagKind.SafetyRisk));
        }

        if (ScoreFlag(entry.Phq9) is { } phq)
        {
            flags.Add(new CardFlag(FlagKind.Phq9, phq));
        }

        if (ScoreFlag(entry.Gad7) is { } gad)
        {
            flags.Add(new CardFlag(FlagKind.Gad7, gad));
        }

        if (prompts.HasFlag(RegistryPrompts.PsychiatricReview))
        {
            flags.Add(new CardFlag(FlagKind.NeedsPsychReview));
        }

        if (prompts.HasFlag(RegistryPrompts.NoContact))
        {
            flags.Add(new CardFlag(FlagKind.ContactDue));
        }

        if (prompts.HasFlag(RegistryPrompts.MeasurementDue))
        {
            flags.Add(new CardFlag(FlagKind.MeasurementDue));
        }

        return flags.ToImmutable();
    }

    /// <summary><paramref name="flags"/> with the registry's kinds replaced by <paramref name="registry"/> (registry's first); null when nothing changes.</summary>
    public static ImmutableArray<CardFlag>? Merge(ImmutableArray<CardFlag> flags, ImmutableArray<CardFlag> registry)
    {
        var kept = (flags.IsDefault ? [] : flags).Where(f => !OwnedFlags.Contains(f.Kind));
        ImmutableArray<CardFlag> merged = [.. registry.Concat(kept).Take(BoardLimits.FlagsPerCard)];
        return merged.SequenceEqual(flags.IsDefault ? [] : flags) ? null : merged;
    }

    /// <summary>"16 ↓": the latest total and its direction from the one before (none for a first score).</summary>
    public static string? ScoreFlag(ImmutableArray<TrendPoint> trend)
    {
        if (trend.IsDefaultOrEmpty)
        {
            return null;
        }

        var latest = trend[^1].Total;
        if (trend.Length == 1)
        {
            return $"{latest}";
        }

        var previous = trend[^2].Total;
        return $"{latest} {(latest < previous ? "↓" : latest > previous ? "↑" : "→")}";
    }

    /// <summary>The rows of <paramref name="entries"/> as of <paramref name="today"/>, who needs attention first (<see cref="Urgency"/>), then by name and id.</summary>
    public static ImmutableArray<RegistryRow> Rows(IEnumerable<RegistryEntry> entries, DateOnly today) =>
    [
        .. entries.Select(e => new RegistryRow(e, StatusOf(e, today)))
            .OrderByDescending(r => Urgency(r.Status, r.Entry))
            .ThenBy(r => r.Entry.DisplayName, StringComparer.CurrentCultureIgnoreCase)
            .ThenBy(r => r.Entry.PatientId, StringComparer.Ordinal),
    ];

    /// <summary>Who needs attention first: safety, then review, then contact and measurement due, then the highest latest score.</summary>
    public static int Urgency(RegistryStatus status, RegistryEntry entry)
    {
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(entry);
        var p = status.Prompts;
        return (p.HasFlag(RegistryPrompts.Safety) ? 1000 : 0) + (p.HasFlag(RegistryPrompts.PsychiatricReview) ? 500 : 0)
            + (p.HasFlag(RegistryPrompts.NoContact) ? 200 : 0) + (p.HasFlag(RegistryPrompts.MeasurementDue) ? 100 : 0)
            + (entry.Latest?.Total ?? 0);
    }
}
