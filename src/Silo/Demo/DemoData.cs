using System.Collections.Immutable;
using Huddle.Contracts.Boards;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Handoffs;
using Huddle.Contracts.Patients;
using Huddle.Contracts.Registry;
using Huddle.Contracts.Users;

namespace Huddle.Silo.Demo;

/// <summary>
/// Fictional demo data: two care teams, their clinicians, room displays and patients. Every name
/// here is invented. Ids are opaque, as real ones must be (never an MRN or a name).
/// </summary>
public static class DemoData
{
    public const string MapleTeam = "team-maple";
    public const string HarborTeam = "team-harbor";
    /// <summary>The demo clinic's zone; UTC on a machine without time zone data, so seeding never fails.</summary>
    public static readonly string TimeZone = TimeZoneInfo.TryFindSystemTimeZoneById("America/Chicago", out _) ? "America/Chicago" : "UTC";

    public static readonly ImmutableArray<UserProfile> Users =
    [
        Clinician("u-chen", "Dr. Lena Chen", CareTeamRole.Pcp, MapleTeam),
        Clinician("u-okafor", "Sam Okafor", CareTeamRole.Bhc, MapleTeam, HarborTeam),
        Clinician("u-rivera", "Maria Rivera", CareTeamRole.CareManager, MapleTeam),
        Clinician("u-nakamura", "Dr. Ken Nakamura", CareTeamRole.ConsultingPsychiatrist, MapleTeam, HarborTeam),
        Clinician("u-patel", "Priya Patel", CareTeamRole.Nurse, MapleTeam),
        Clinician("u-johnson", "Tyler Johnson", CareTeamRole.MedicalAssistant, MapleTeam),
        Clinician("u-adams", "Dr. Grace Adams", CareTeamRole.Pcp, HarborTeam),
        Clinician("u-haddad", "Omar Haddad", CareTeamRole.SocialWorker, HarborTeam),
        Clinician("u-brooks", "Dana Brooks", CareTeamRole.CareManager, HarborTeam),
        new("d-maple-room", "Maple team room screen", UserKind.RoomDisplay, null, [MapleTeam]),
        new("d-harbor-room", "Harbor team room screen", UserKind.RoomDisplay, null, [HarborTeam]),
        new("a-ward", "Jo Ward (privacy officer)", UserKind.Administrator, null, []),
    ];

    public static readonly ImmutableArray<CareTeamProfile> Teams =
    [
        Team(MapleTeam, "Maple Street Primary Care"),
        Team(HarborTeam, "Harbor Community Health"),
    ];

    public static readonly ImmutableArray<PatientProfile> Patients =
    [
        Patient("p-7f3a", "Rosa Delgado", "Exam 3", [new(FlagKind.Phq9, "18 ↑"), new(FlagKind.NeedsPsychReview)], MapleTeam),
        Patient("p-2c9e", "James Whitfield", "Exam 1", [new(FlagKind.RecentEdVisit, "chest pain, 2d ago")], MapleTeam),
        Patient("p-81bd", "Amara Nwosu", null, [new(FlagKind.OverdueFollowUp, "12 d"), new(FlagKind.Phq9, "14 →")], MapleTeam),
        Patient("p-4e17", "Henry Kowalski", "Exam 5", [new(FlagKind.Gad7, "16 ↑")], MapleTeam),
        Patient("p-c05d", "Linh Tran", null, [new(FlagKind.CareGap, "A1c due")], MapleTeam),
        Patient("p-93f0", "Beatrice Moreau", "Exam 2", [new(FlagKind.RecentAdmission, "CHF, d/c Mon"), new(FlagKind.OverdueFollowUp, "5 d")], MapleTeam),
        Patient("p-0a6c", "Diego Alvarez", null, [new(FlagKind.Phq9, "9 ↓")], MapleTeam, HarborTeam),
        Patient("p-5d21", "Grace Oyelaran", "Room 4", [new(FlagKind.Phq9, "21 ↑"), new(FlagKind.RecentEdVisit, "overdose, 1d ago")], HarborTeam),
        Patient("p-e4b8", "Walter Lindqvist", null, [new(FlagKind.OverdueFollowUp, "30 d")], HarborTeam),
        Patient("p-6f9a", "Keisha Robinson", "Room 2", [new(FlagKind.Gad7, "11 →"), new(FlagKind.CareGap, "no PCP visit 1y")], HarborTeam),
        Patient("p-b372", "Tomás Herrera", null, [new(FlagKind.NeedsPsychReview, "wk 10, not improving")], HarborTeam),
        Patient("p-18c4", "Yuki Sato", "Room 1", [new(FlagKind.Phq9, "11 ↓")], HarborTeam),
    ];

    /// <summary>The cards, action items and notes each demo board starts the day with.</summary>
    public static ImmutableArray<BoardCommand> BoardScript(string teamId, DateOnly today) => teamId switch
    {
        MapleTeam =>
        [
            new AddCard("p-7f3a", "lane-2", "u-okafor", today, "Warm handoff during today's visit"),
            new AddCard("p-2c9e", "lane-1", "u-chen"),
            new AddCard("p-81bd", "lane-3", "u-rivera", today.AddDays(-2), "Call back re: med side effects"),
            new AddCard("p-4e17", "lane-2", "u-okafor"),
            new AddCard("p-93f0", "lane-3", "u-patel", today, "Post-discharge check within 7 days"),
            new AddCard("p-c05d", "lane-1"),
            new AddActionItem("Confirm psychiatry case review list for Thursday", "u-nakamura", today),
            new AddActionItem("Restock PHQ-9 tablets in exam rooms", "u-johnson", today.AddDays(-1)),
            new AddActionItem("Update registry outreach list", "u-rivera", today.AddDays(3)),
            new AddNote(NoteKind.LookBack, "Yesterday: one fall in lobby, no injury; incident report filed."),
            new AddNote(NoteKind.LookAhead, "Dr. Chen double-booked 10-11; BHC available from 9:30."),
        ],
        HarborTeam =>
        [
            new AddCard("p-5d21", "lane-2", "u-okafor", today, "Safety plan review today"),
            new AddCard("p-e4b8", "lane-3", "u-brooks", today.AddDays(-10)),
            new AddCard("p-6f9a", "lane-1", "u-adams"),
            new AddCard("p-b372", "lane-1", "u-nakamura"),
            new AddCard("p-18c4", "lane-4"),
            new AddActionItem("Ride to cardiology for R.K., Tue 9:00", "u-haddad", today, ActionItemKind.Transport),
            new AddActionItem("Shower chair delivery for T.H.", "u-brooks", today.AddDays(2), ActionItemKind.MedicalEquipment),
            new AddActionItem("Schedule psychiatric consult follow-ups", "u-brooks", today.AddDays(-2)),
            new AddNote(NoteKind.LookAhead, "Interpreter (Spanish) on site 1-4 pm."),
        ],
        _ => [],
    };

    /// <summary>
    /// The demo registry: invented PHQ-9 and GAD-7 histories, enrolments and care-manager contacts, dated
    /// back from <paramref name="today"/>, so the registry, the review list and the cards' real scores show
    /// what they are for on a fresh start: a patient not improving at week 9 (psychiatric review), a
    /// responder, one with no contact and a measurement due, a GAD-7 rising. Each step as (who, patient, command).
    /// </summary>
    public static ImmutableArray<(string ActorId, string PatientId, CareCommand Command)> RegistryScript(string teamId, DateOnly today)
    {
        static RecordMeasurement Phq9(int total, DateOnly on) => new(Instrument.Phq9, Spread(total, 8, 9), on);
        static RecordMeasurement Gad7(int total, DateOnly on) => new(Instrument.Gad7, Spread(total, 7, 7), on);
        DateOnly Ago(int days) => today.AddDays(-days);
        return teamId switch
        {
            MapleTeam =>
            [
                ("u-rivera", "p-7f3a", Phq9(15, Ago(63))),
                ("u-rivera", "p-7f3a", new Enrol(MapleTeam, "u-rivera", "u-nakamura", Ago(63))),
                ("u-rivera", "p-7f3a", new LogContact(ContactKind.Phone, 30, Ago(60))),
                ("u-rivera", "p-7f3a", Phq9(17, Ago(35))),
                ("u-rivera", "p-7f3a", new LogContact(ContactKind.InPerson, 45, Ago(35))),
                ("u-rivera", "p-7f3a", Phq9(18, Ago(Math.Min(7, today.Day - 1)))),
                ("u-rivera", "p-7f3a", new LogContact(ContactKind.Phone, 25, Ago(Math.Min(7, today.Day - 1)))),
                ("u-rivera", "p-2c9e", Phq9(19, Ago(98))),
                ("u-rivera", "p-2c9e", new Enrol(MapleTeam, "u-rivera", "u-nakamura", Ago(98))),
                ("u-rivera", "p-2c9e", new LogContact(ContactKind.InPerson, 60, Ago(98))),
                ("u-rivera", "p-2c9e", Phq9(14, Ago(70))),
                ("u-rivera", "p-2c9e", new LogContact(ContactKind.Video, 30, Ago(42))),
                ("u-rivera", "p-2c9e", Phq9(9, Ago(42))),
                ("u-rivera", "p-2c9e", Phq9(6, Ago(Math.Min(14, today.Day - 1)))),
                ("u-rivera", "p-2c9e", new LogContact(ContactKind.Phone, 35, Ago(Math.Min(14, today.Day - 1)))),
                ("u-rivera", "p-81bd", Phq9(16, Ago(42))),
                ("u-rivera", "p-81bd", new Enrol(MapleTeam, "u-rivera", "u-nakamura", Ago(42))),
                ("u-rivera", "p-81bd", Phq9(14, Ago(35))),
                ("u-chen", "p-4e17", Gad7(12, Ago(28))),
                ("u-chen", "p-4e17", Gad7(16, Ago(6))),
            ],
            HarborTeam =>
            [
                ("u-brooks", "p-b372", Phq9(17, Ago(70))),
                ("u-brooks", "p-b372", new Enrol(HarborTeam, "u-brooks", "u-nakamura", Ago(70))),
                ("u-brooks", "p-b372", new LogContact(ContactKind.Phone, 40, Ago(63))),
                ("u-brooks", "p-b372", Phq9(16, Ago(21))),
                ("u-brooks", "p-b372", Phq9(15, Ago(3))),
                ("u-brooks", "p-b372", new LogContact(ContactKind.Phone, 20, Ago(3))),
                ("u-brooks", "p-18c4", Phq9(15, Ago(42))),
                ("u-brooks", "p-18c4", new Enrol(HarborTeam, "u-brooks", "u-nakamura", Ago(42))),
                ("u-brooks", "p-18c4", new LogContact(ContactKind.Video, 30, Ago(30))),
                ("u-brooks", "p-18c4", Phq9(11, Ago(12))),
            ],
            _ => [],
        };
    }

    /// <summary>Item scores (each 0-3) of the first <paramref name="spread"/> of <paramref name="items"/> items that add up to <paramref name="total"/>; the rest 0 (item 9 stays 0 in the demo).</summary>
    private static ImmutableArray<int> Spread(int total, int spread, int items)
    {
        var scores = new int[items];
        for (var i = 0; total > 0; i = (i + 1) % spread)
        {
            if (scores[i] < Questionnaires.MaxItem)
            {
                scores[i]++;
                total--;
            }
        }

        return [.. scores];
    }

    /// <summary>The prefix of every invented past handoff's id: demo history is told apart from real use by it.</summary>
    public const string HistoryIdPrefix = "h-demo-";

    /// <summary>
    /// A month of invented warm handoffs for <paramref name="team"/>'s metrics, all closed and dated
    /// before <paramref name="today"/> (today is left to real use): weekdays in clinic hours, one to five
    /// a day, most accepted within minutes and completed, a few escalated, a few falling back to a
    /// referral. The same every start (a fixed seed), so the demo reads the same to everyone.
    /// </summary>
    public static ImmutableArray<(HandoffSummary Item, HandoffOutcome Outcome)> History(CareTeamProfile team, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(team);
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(team.TimeZoneId, out var z) ? z : TimeZoneInfo.Utc;
        var requesters = team.Members.Where(m => m.Role == CareTeamRole.Pcp).Select(m => m.UserId).DefaultIfEmpty(team.Members[0].UserId).ToArray();
        var consultants = team.Members.Where(m => m.Role == CareTeamRole.Bhc).Select(m => m.UserId).DefaultIfEmpty(team.Members[^1].UserId).ToArray();
        var random = new Random(team.TeamId.Length * 7919 + team.TeamId[^1]);
        var history = ImmutableArray.CreateBuilder<(HandoffSummary, HandoffOutcome)>();
        for (var back = 29; back >= 1; back--)
        {
            var day = today.AddDays(-back);
            if (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
            {
                continue;
            }

            var count = random.Next(1, 6);
            for (var n = 0; n < count; n++)
            {
                var local = day.ToDateTime(new TimeOnly(9, 0)).AddMinutes(random.Next(0, 450));
                var requestedAt = new DateTimeOffset(local, zone.GetUtcOffset(local));
                var roll = random.NextDouble();
                var escalated = roll < 0.18;
                // Accepted in 20 s to 4 min, or 2-6 min once escalated; 8 in 100 find nobody and fall back to a referral.
                var failed = roll > 0.92;
                var acceptedAt = failed ? (DateTimeOffset?)null : requestedAt.AddSeconds(escalated ? random.Next(120, 360) : random.Next(20, 240));
                var joinedAt = acceptedAt?.AddSeconds(random.Next(60, 480));
                var referral = failed ? (random.NextDouble() < 0.7 ? ReferralStatus.Attended : ReferralStatus.Closed) : (ReferralStatus?)null;
                var status = failed ? HandoffStatus.Failed : HandoffStatus.Completed;
                var id = $"{HistoryIdPrefix}{team.TeamId}-{day:yyyyMMdd}-{n}";
                var acceptor = failed ? null : consultants[random.Next(consultants.Length)];
                var item = new HandoffSummary(id, team.TeamId, $"Exam {random.Next(1, 7)}", escalated ? HandoffPriority.Urgent : HandoffPriority.Routine,
                    status, null, requesters[random.Next(requesters.Length)], acceptor, null, referral, requestedAt, 10, []);
                history.Add((item, new HandoffOutcome(id, requestedAt, acceptedAt, joinedAt, status, escalated || failed, referral, 10)));
            }
        }

        return history.ToImmutable();
    }

    private static UserProfile Clinician(string id, string name, CareTeamRole role, params string[] teams) =>
        new(id, name, UserKind.Clinician, role, [.. teams]);

    private static CareTeamProfile Team(string teamId, string name) => new(
        teamId, name, CareTeamStatus.Active,
        [.. Users.Where(u => u.Kind == UserKind.Clinician && u.TeamIds.Contains(teamId)).Select(u => new TeamMember(u.UserId, u.DisplayName, u.Role!.Value))],
        [.. Users.Where(u => u.Kind == UserKind.RoomDisplay && u.TeamIds.Contains(teamId)).Select(u => u.UserId)],
        TimeZone);

    private static PatientProfile Patient(string id, string name, string? room, CardFlag[] flags, params string[] teams) =>
        new(id, name, PatientProfile.InitialsOf(name), room, [.. flags], [.. teams]);
}
