using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace Huddle.Contracts.Boards;

/// <summary>Why a patient is on the board: a PHQ-9 or GAD-7 score and its trend, an overdue follow-up, a recent ED visit or admission, a care gap, a psychiatric review due, and the registry's prompts. New kinds are added at the end (stored as numbers).</summary>
public enum FlagKind
{
    Phq9,
    Gad7,
    OverdueFollowUp,
    RecentEdVisit,
    RecentAdmission,
    CareGap,
    NeedsPsychReview,

    /// <summary>The latest PHQ-9's item 9 (thoughts of self-harm) was above 0: set by the registry, shown first.</summary>
    SafetyRisk,

    /// <summary>Enrolled 4 weeks with no care-manager contact (registry).</summary>
    ContactDue,

    /// <summary>No PHQ-9 in the last 4 weeks of treatment (registry).</summary>
    MeasurementDue,
}

/// <summary>Look back (yesterday's events) or look ahead (today's expected threats, staffing).</summary>
public enum NoteKind
{
    LookBack,
    LookAhead,
}

/// <summary>Action item status, derived from done/due against the board's day.</summary>
public enum ActionItemStatus
{
    Open,
    DueToday,
    Overdue,
    Done,
}

/// <summary>
/// A flag on a patient card. <see cref="Detail"/> carries clinical detail (a score, a trend) and is
/// withheld from the shared screen in privacy mode.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.card-flag")]
public sealed record CardFlag(
    [property: Id(0)] FlagKind Kind,
    [property: Id(1)] string? Detail = null);

/// <summary>A lane of the board; <see cref="CardIds"/> is the lane's order, top first.</summary>
[GenerateSerializer, Immutable, Alias("huddle.lane")]
public sealed record BoardLane(
    [property: Id(0)] string Id,
    [property: Id(1)] string Title,
    [property: Id(2)] ImmutableArray<string> CardIds,
    [property: Id(3)] bool ClearsDaily = false);

/// <summary>A patient on the board: who, why (flags), owner, due date and a short note.</summary>
[GenerateSerializer, Immutable, Alias("huddle.card")]
public sealed record PatientCard(
    [property: Id(0)] string Id,
    [property: Id(1)] string PatientId,
    [property: Id(2)] string PatientName,
    [property: Id(3)] string Initials,
    [property: Id(4)] string? Room,
    [property: Id(5)] ImmutableArray<CardFlag> Flags,
    [property: Id(6)] string? OwnerId,
    [property: Id(7)] DateOnly? Due,
    [property: Id(8)] string? Note);

/// <summary>
/// What an action item is: a task of the team's, or a logistics work item the team arranges for a
/// patient (transport to a visit, home care, durable medical equipment), tracked on the board like any other.
/// </summary>
public enum ActionItemKind
{
    Task,
    Transport,
    HomeCare,
    MedicalEquipment,
}

/// <summary>A team action item: owner, due date, status, and its kind (a task or a logistics work item).</summary>
[GenerateSerializer, Immutable, Alias("huddle.action-item")]
public sealed record ActionItem(
    [property: Id(0)] string Id,
    [property: Id(1)] string Title,
    [property: Id(2)] string? OwnerId,
    [property: Id(3)] DateOnly? Due,
    [property: Id(4)] ActionItemStatus Status,
    [property: Id(5)] DateTimeOffset? CompletedAt,
    [property: Id(6)] string? CompletedBy,
    [property: Id(7)] ActionItemKind Kind = ActionItemKind.Task);

/// <summary>A look-back or look-ahead note.</summary>
[GenerateSerializer, Immutable, Alias("huddle.huddle-note")]
public sealed record HuddleNote(
    [property: Id(0)] string Id,
    [property: Id(1)] NoteKind Kind,
    [property: Id(2)] string Text,
    [property: Id(3)] string AuthorId,
    [property: Id(4)] DateTimeOffset At);

/// <summary>The day's huddle: when it started, who attended, where the agenda is, how it ended.</summary>
[GenerateSerializer, Immutable, Alias("huddle.session")]
public sealed record HuddleSession(
    [property: Id(0)] DateTimeOffset StartedAt,
    [property: Id(1)] string StartedBy,
    [property: Id(2)] ImmutableArray<string> Attendees,
    [property: Id(3)] string? AgendaLaneId,
    [property: Id(4)] DateTimeOffset? EndedAt,
    [property: Id(5)] string? EndedBy,
    [property: Id(6)] string? Summary)
{
    /// <summary>True once the huddle has ended; an ended huddle accepts no further changes.</summary>
    public bool IsEnded => EndedAt is not null;
}

/// <summary>Team settings that shape what the board shows.</summary>
[GenerateSerializer, Immutable, Alias("huddle.board-settings")]
public sealed record BoardSettings(
    [property: Id(0)] bool ShowNamesOnSharedScreen = false);

/// <summary>
/// One care team's huddle board for one day. Immutable: every accepted operation yields a new
/// board with <see cref="Version"/> one higher, so a change can be diffed by reference.
/// <see cref="NextId"/> is the server's id counter (persisted; clients never allocate ids).
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.board")]
public sealed record HuddleBoard(
    [property: Id(0)] string TeamId,
    [property: Id(1)] DateOnly Day,
    [property: Id(2)] long Version,
    [property: Id(3)] ImmutableArray<BoardLane> Lanes,
    [property: Id(4)] ImmutableArray<PatientCard> Cards,
    [property: Id(5)] ImmutableArray<ActionItem> ActionItems,
    [property: Id(6)] ImmutableArray<HuddleNote> Notes,
    [property: Id(7)] HuddleSession? Session,
    [property: Id(8)] BoardSettings Settings,
    [property: Id(9)] long NextId = 0)
{
    /// <summary>The lanes a new team starts with (KaiNexus-style To discuss → Done).</summary>
    public static readonly ImmutableArray<(string Title, bool ClearsDaily)> DefaultLanes =
    [
        ("To discuss", false),
        ("Needs BH today", false),
        ("Follow-up due", false),
        ("Done", true),
    ];

    /// <summary>A fresh board with the default lanes.</summary>
    public static HuddleBoard Create(string teamId, DateOnly day)
    {
        var lanes = ImmutableArray.CreateBuilder<BoardLane>(DefaultLanes.Length);
        for (var i = 0; i < DefaultLanes.Length; i++)
        {
            lanes.Add(new BoardLane($"lane-{i + 1}", DefaultLanes[i].Title, [], DefaultLanes[i].ClearsDaily));
        }

        return new HuddleBoard(teamId, day, 0, lanes.MoveToImmutable(), [], [], [], null, new BoardSettings(), DefaultLanes.Length + 1);
    }

    /// <summary>The card with <paramref name="cardId"/>, or null.</summary>
    public PatientCard? FindCard(string cardId) => Cards.FirstOrDefault(c => c.Id == cardId);

    /// <summary>The lane with <paramref name="laneId"/>, or null.</summary>
    public BoardLane? FindLane(string laneId) => Lanes.FirstOrDefault(l => l.Id == laneId);

    /// <summary>The lane holding <paramref name="cardId"/>, or null.</summary>
    public BoardLane? LaneOf(string cardId) => Lanes.FirstOrDefault(l => l.CardIds.Contains(cardId));
}
