using System.Collections.Immutable;
using Huddle.Contracts.Boards;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Patients;
using Huddle.Contracts.Registry;

namespace Huddle.Grains.CareTeams.Board;

/// <summary>What the rules need to know besides the board: who acts, when, on which team.</summary>
/// <param name="ActorId">The authenticated user making the change.</param>
/// <param name="Now">The current instant.</param>
/// <param name="Team">The team's profile and roster (owners and attendees must be members).</param>
/// <param name="Patient">For <see cref="AddCard"/>: the resolved patient, or null when unknown.</param>
public sealed record BoardContext(string ActorId, DateTimeOffset Now, CareTeamProfile Team, PatientProfile? Patient = null);

/// <summary>
/// The huddle board's rules as plain functions: validate a command against the board and produce
/// the next board (version + 1) or an error that changes nothing. No Orleans, no I/O.
/// </summary>
public static class BoardRules
{
    /// <summary>The refusal of a board change by someone not on the team.</summary>
    public static HuddleError NotAMember => HuddleError.Forbidden("Only members of the care team can change its board.");

    /// <summary>Applies <paramref name="command"/> to <paramref name="board"/>.</summary>
    public static Result<HuddleBoard> Apply(HuddleBoard board, BoardCommand command, BoardContext ctx)
    {
        ArgumentNullException.ThrowIfNull(board);
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(ctx);

        if (!ctx.Team.IsMember(ctx.ActorId))
        {
            return NotAMember;
        }

        if (command.ExpectedVersion is { } expected && expected != board.Version)
        {
            return HuddleError.Conflict(expected, board.Version);
        }

        var result = command switch
        {
            AddLane c => AddLaneTo(board, c),
            RenameLane c => RenameLaneOf(board, c),
            MoveLane c => MoveLaneOf(board, c),
            RemoveLane c => RemoveLaneOf(board, c),
            AddCard c => AddCardTo(board, c, ctx),
            MoveCard c => MoveCardOf(board, c),
            AssignCard c => WithCard(board, c.CardId, card => CheckOwner(ctx, c.OwnerId) ?? (Result<HuddleBoard>)Replace(board, card with { OwnerId = c.OwnerId })),
            SetCardDue c => WithCard(board, c.CardId, card => Replace(board, card with { Due = c.Due })),
            SetCardNote c => WithCard(board, c.CardId, card => CheckText(c.Note, "Note", BoardLimits.NoteLength, optional: true) ?? (Result<HuddleBoard>)Replace(board, card with { Note = Clean(c.Note) })),
            SetCardFlags c => WithCard(board, c.CardId, card => CheckFlags(c.Flags) ?? (Result<HuddleBoard>)Replace(board, card with { Flags = c.Flags.IsDefault ? [] : c.Flags })),
            RemoveCard c => WithCard(board, c.CardId, card => RemoveCardFrom(board, card)),
            AddActionItem c => AddActionItemTo(board, c, ctx),
            AssignActionItem c => WithItem(board, c.ItemId, item => CheckOwner(ctx, c.OwnerId) ?? (Result<HuddleBoard>)Replace(board, item with { OwnerId = c.OwnerId })),
            SetActionItemDue c => WithItem(board, c.ItemId, item => Replace(board, WithStatus(item with { Due = c.Due }, board.Day))),
            CompleteActionItem c => WithItem(board, c.ItemId, item => item.Status == ActionItemStatus.Done
                ? HuddleError.State("The action item is already done.")
                : Replace(board, item with { Status = ActionItemStatus.Done, CompletedAt = ctx.Now, CompletedBy = ctx.ActorId })),
            ReopenActionItem c => WithItem(board, c.ItemId, item => item.Status != ActionItemStatus.Done
                ? HuddleError.State("The action item is not done.")
                : Replace(board, WithStatus(item with { Status = ActionItemStatus.Open, CompletedAt = null, CompletedBy = null }, board.Day))),
            RemoveActionItem c => WithItem(board, c.ItemId, item => board with { ActionItems = board.ActionItems.Remove(item) }),
            AddNote c => AddNoteTo(board, c, ctx),
            RemoveNote c => board.Notes.FirstOrDefault(n => n.Id == c.NoteId) is { } note
                ? board with { Notes = board.Notes.Remove(note) }
                : HuddleError.NotFound("Note", c.NoteId),
            StartHuddle => Start(board, ctx),
            SetAttendance c => WithOpenSession(board, session => SetAttendanceOf(board, session, c, ctx)),
            SetAgenda c => WithOpenSession(board, session => c.LaneId is not null && board.FindLane(c.LaneId) is null
                ? HuddleError.NotFound("Lane", c.LaneId)
                : board with { Session = session with { AgendaLaneId = c.LaneId } }),
            EndHuddle c => WithOpenSession(board, session => CheckText(c.Summary, "Summary", BoardLimits.SummaryLength, optional: true)
                ?? (Result<HuddleBoard>)(board with { Session = session with { EndedAt = ctx.Now, EndedBy = ctx.ActorId, Summary = Clean(c.Summary) } })),
            SetSharedScreenNames c => board with { Settings = board.Settings with { ShowNamesOnSharedScreen = c.Show } },
            _ => HuddleError.Invalid($"Unknown operation '{command.GetType().Name}'."),
        };

        return result.Value is { } next ? next with { Version = board.Version + 1 } : result;
    }

    /// <summary>
    /// The board with the registry's flags on <paramref name="patientId"/>'s card (a system change: no
    /// actor, allowed after the huddle ended), or null when nothing changes. A safety flag on a patient
    /// with no card adds one to the first lane from <paramref name="patient"/> (its flags already merged).
    /// </summary>
    public static HuddleBoard? WithRegistryFlags(HuddleBoard board, string patientId, ImmutableArray<CardFlag> flags, PatientProfile? patient)
    {
        ArgumentNullException.ThrowIfNull(board);
        if (board.Cards.FirstOrDefault(c => c.PatientId == patientId) is { } card)
        {
            return RegistryRules.Merge(card.Flags, flags) is { } merged
                ? Replace(board, card with { Flags = merged }) with { Version = board.Version + 1 }
                : null;
        }

        if (!flags.Any(f => f.Kind == FlagKind.SafetyRisk) || patient is null || !patient.TeamIds.Contains(board.TeamId)
            || board.Cards.Length >= BoardLimits.Cards || board.Lanes.IsEmpty)
        {
            return null;
        }

        var lane = board.Lanes[0];
        var (id, next) = NewId(board, "card");
        var added = new PatientCard(id, patient.PatientId, patient.DisplayName, patient.Initials, patient.Room,
            RegistryRules.Merge(patient.Flags, flags) ?? patient.Flags, null, null, null);
        return next with
        {
            Version = board.Version + 1,
            Cards = board.Cards.Add(added),
            Lanes = board.Lanes.Replace(lane, lane with { CardIds = lane.CardIds.Insert(0, id) }),
        };
    }

    /// <summary>
    /// Carries a board into a new day: lanes, cards (except those in lanes that clear daily) and
    /// open action items stay; notes and the huddle session start afresh. The version keeps
    /// counting so clients never see it go backwards.
    /// </summary>
    public static HuddleBoard RollOver(HuddleBoard board, DateOnly day)
    {
        var cleared = board.Lanes.Where(l => l.ClearsDaily).SelectMany(l => l.CardIds).ToHashSet();
        return board with
        {
            Day = day,
            Version = board.Version + 1,
            Lanes = [.. board.Lanes.Select(l => l.ClearsDaily ? l with { CardIds = [] } : l)],
            Cards = [.. board.Cards.Where(c => !cleared.Contains(c.Id))],
            ActionItems = [.. board.ActionItems.Where(i => i.Status != ActionItemStatus.Done).Select(i => WithStatus(i, day))],
            Notes = [],
            Session = null,
        };
    }

    /// <summary>Status of an action item that is not done, on <paramref name="day"/>.</summary>
    public static ActionItem WithStatus(ActionItem item, DateOnly day)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.Status == ActionItemStatus.Done)
        {
            return item;
        }

        var status = item.Due switch
        {
            { } due when due < day => ActionItemStatus.Overdue,
            { } due when due == day => ActionItemStatus.DueToday,
            _ => ActionItemStatus.Open,
        };
        return item.Status == status ? item : item with { Status = status };
    }

    private static Result<HuddleBoard> AddLaneTo(HuddleBoard board, AddLane c)
    {
        if (CheckText(c.Title, "Lane title", BoardLimits.TitleLength) is { } error)
        {
            return error;
        }

        if (board.Lanes.Length >= BoardLimits.Lanes)
        {
            return HuddleError.Limit($"A board has at most {BoardLimits.Lanes} lanes.");
        }

        var (id, next) = NewId(board, "lane");
        return next with { Lanes = board.Lanes.Add(new BoardLane(id, c.Title.Trim(), [])) };
    }

    private static Result<HuddleBoard> RenameLaneOf(HuddleBoard board, RenameLane c) =>
        WithLane(board, c.LaneId, lane => CheckText(c.Title, "Lane title", BoardLimits.TitleLength)
            ?? (Result<HuddleBoard>)(board with { Lanes = board.Lanes.Replace(lane, lane with { Title = c.Title.Trim() }) }));

    private static Result<HuddleBoard> MoveLaneOf(HuddleBoard board, MoveLane c) =>
        WithLane(board, c.LaneId, lane =>
        {
            if (c.ToIndex < 0 || c.ToIndex >= board.Lanes.Length)
            {
                return HuddleError.Invalid($"Lane index must be between 0 and {board.Lanes.Length - 1}.");
            }

            return board with { Lanes = board.Lanes.Remove(lane).Insert(c.ToIndex, lane) };
        });

    private static Result<HuddleBoard> RemoveLaneOf(HuddleBoard board, RemoveLane c) =>
        WithLane(board, c.LaneId, lane =>
        {
            if (!lane.CardIds.IsEmpty)
            {
                return HuddleError.State("Only an empty lane can be removed; move its cards first.");
            }

            if (board.Lanes.Length == 1)
            {
                return HuddleError.State("A board keeps at least one lane.");
            }

            var session = board.Session is { AgendaLaneId: var agenda } s && agenda == lane.Id ? s with { AgendaLaneId = null } : board.Session;
            return board with { Lanes = board.Lanes.Remove(lane), Session = session };
        });

    private static Result<HuddleBoard> AddCardTo(HuddleBoard board, AddCard c, BoardContext ctx)
    {
        if (ctx.Patient is not { } patient || patient.PatientId != c.PatientId)
        {
            return HuddleError.NotFound("Patient", c.PatientId);
        }

        if (!patient.TeamIds.Contains(board.TeamId))
        {
            return HuddleError.Forbidden("The patient is not on this care team's panel.");
        }

        if (board.Cards.Any(card => card.PatientId == c.PatientId))
        {
            return HuddleError.State("The patient already has a card on this board.");
        }

        if (board.Cards.Length >= BoardLimits.Cards)
        {
            return HuddleError.Limit($"A board has at most {BoardLimits.Cards} cards.");
        }

        if ((CheckOwner(ctx, c.OwnerId) ?? CheckText(c.Note, "Note", BoardLimits.NoteLength, optional: true)) is { } error)
        {
            return error;
        }

        return WithLane(board, c.LaneId, lane =>
        {
            var (id, next) = NewId(board, "card");
            var card = new PatientCard(id, patient.PatientId, patient.DisplayName, patient.Initials, patient.Room,
                patient.Flags.IsDefault ? [] : patient.Flags, c.OwnerId, c.Due, Clean(c.Note));
            return next with
            {
                Cards = board.Cards.Add(card),
                Lanes = board.Lanes.Replace(lane, lane with { CardIds = lane.CardIds.Add(id) }),
            };
        });
    }

    private static Result<HuddleBoard> MoveCardOf(HuddleBoard board, MoveCard c)
    {
        if (board.FindCard(c.CardId) is null)
        {
            return HuddleError.NotFound("Card", c.CardId);
        }

        return WithLane(board, c.ToLaneId, target =>
        {
            var source = board.LaneOf(c.CardId)!;
            var sameLane = source.Id == target.Id;
            var maxIndex = sameLane ? target.CardIds.Length - 1 : target.CardIds.Length;
            if (c.ToIndex < 0 || c.ToIndex > maxIndex)
            {
                return HuddleError.Invalid($"Card index must be between 0 and {maxIndex}.");
            }

            var lanes = board.Lanes;
            var removed = source with { CardIds = source.CardIds.Remove(c.CardId) };
            lanes = lanes.Replace(source, removed);
            var into = sameLane ? removed : target;
            lanes = lanes.Replace(into, into with { CardIds = into.CardIds.Insert(c.ToIndex, c.CardId) });
            return board with { Lanes = lanes };
        });
    }

    private static Result<HuddleBoard> RemoveCardFrom(HuddleBoard board, PatientCard card)
    {
        var lane = board.LaneOf(card.Id)!;
        return board with
        {
            Cards = board.Cards.Remove(card),
            Lanes = board.Lanes.Replace(lane, lane with { CardIds = lane.CardIds.Remove(card.Id) }),
        };
    }

    private static Result<HuddleBoard> AddActionItemTo(HuddleBoard board, AddActionItem c, BoardContext ctx)
    {
        if ((CheckText(c.Title, "Action item title", BoardLimits.TitleLength) ?? CheckOwner(ctx, c.OwnerId)) is { } error)
        {
            return error;
        }

        if (!Enum.IsDefined(c.Kind))
        {
            return HuddleError.Invalid("An action item's kind is task, transport, homeCare or medicalEquipment.");
        }

        if (board.ActionItems.Length >= BoardLimits.ActionItems)
        {
            return HuddleError.Limit($"A board has at most {BoardLimits.ActionItems} action items.");
        }

        var (id, next) = NewId(board, "item");
        var item = WithStatus(new ActionItem(id, c.Title.Trim(), c.OwnerId, c.Due, ActionItemStatus.Open, null, null, c.Kind), board.Day);
        return next with { ActionItems = board.ActionItems.Add(item) };
    }

    private static Result<HuddleBoard> AddNoteTo(HuddleBoard board, AddNote c, BoardContext ctx)
    {
        if (CheckText(c.Text, "Note", BoardLimits.NoteLength) is { } error)
        {
            return error;
        }

        if (!Enum.IsDefined(c.Kind))
        {
            return HuddleError.Invalid("Note kind must be lookBack or lookAhead.");
        }

        if (board.Notes.Length >= BoardLimits.Notes)
        {
            return HuddleError.Limit($"A board has at most {BoardLimits.Notes} notes.");
        }

        var (id, next) = NewId(board, "note");
        return next with { Notes = board.Notes.Add(new HuddleNote(id, c.Kind, c.Text.Trim(), ctx.ActorId, ctx.Now)) };
    }

    private static Result<HuddleBoard> Start(HuddleBoard board, BoardContext ctx) => board.Session switch
    {
        { IsEnded: true } => HuddleError.State("Today's huddle has already ended."),
        not null => HuddleError.State("The huddle is already running."),
        null => board with { Session = new HuddleSession(ctx.Now, ctx.ActorId, [ctx.ActorId], board.Lanes[0].Id, null, null, null) },
    };

    private static Result<HuddleBoard> SetAttendanceOf(HuddleBoard board, HuddleSession session, SetAttendance c, BoardContext ctx)
    {
        if (!ctx.Team.IsMember(c.UserId))
        {
            return HuddleError.NotFound("Team member", c.UserId);
        }

        var attendees = session.Attendees.Contains(c.UserId)
            ? (c.Present ? session.Attendees : session.Attendees.Remove(c.UserId))
            : (c.Present ? session.Attendees.Add(c.UserId) : session.Attendees);
        return board with { Session = session with { Attendees = attendees } };
    }

    private static Result<HuddleBoard> WithOpenSession(HuddleBoard board, Func<HuddleSession, Result<HuddleBoard>> then) => board.Session switch
    {
        null => HuddleError.State("The huddle has not started."),
        { IsEnded: true } => HuddleError.State("Today's huddle has already ended."),
        var session => then(session),
    };

    private static Result<HuddleBoard> WithLane(HuddleBoard board, string laneId, Func<BoardLane, Result<HuddleBoard>> then) =>
        board.FindLane(laneId) is { } lane ? then(lane) : HuddleError.NotFound("Lane", laneId);

    private static Result<HuddleBoard> WithCard(HuddleBoard board, string cardId, Func<PatientCard, Result<HuddleBoard>> then) =>
        board.FindCard(cardId) is { } card ? then(card) : HuddleError.NotFound("Card", cardId);

    private static Result<HuddleBoard> WithItem(HuddleBoard board, string itemId, Func<ActionItem, Result<HuddleBoard>> then) =>
        board.ActionItems.FirstOrDefault(i => i.Id == itemId) is { } item ? then(item) : HuddleError.NotFound("Action item", itemId);

    private static HuddleBoard Replace(HuddleBoard board, PatientCard card) =>
        board with { Cards = board.Cards.Replace(board.FindCard(card.Id)!, card) };

    private static HuddleBoard Replace(HuddleBoard board, ActionItem item) =>
        board with { ActionItems = board.ActionItems.Replace(board.ActionItems.First(i => i.Id == item.Id), item) };

    private static (string Id, HuddleBoard Board) NewId(HuddleBoard board, string prefix) =>
        ($"{prefix}-{board.NextId}", board with { NextId = board.NextId + 1 });

    private static HuddleError? CheckOwner(BoardContext ctx, string? ownerId) =>
        ownerId is null || ctx.Team.IsMember(ownerId) ? null : HuddleError.NotFound("Team member", ownerId);

    private static HuddleError? CheckFlags(ImmutableArray<CardFlag> flags)
    {
        if (flags.IsDefault)
        {
            return null;
        }

        if (flags.Length > BoardLimits.FlagsPerCard)
        {
            return HuddleError.Limit($"A card has at most {BoardLimits.FlagsPerCard} flags.");
        }

        foreach (var flag in flags)
        {
            if (flag is null || !Enum.IsDefined(flag.Kind))
            {
                return HuddleError.Invalid("Unknown flag kind.");
            }

            if (CheckText(flag.Detail, "Flag detail", BoardLimits.FlagDetailLength, optional: true) is { } error)
            {
                return error;
            }
        }

        return null;
    }

    /// <summary>Null when <paramref name="text"/> is acceptable; otherwise a validation error.</summary>
    private static HuddleError? CheckText(string? text, string what, int maxLength, bool optional = false)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return optional ? null : HuddleError.Invalid($"{what} must not be empty.");
        }

        var trimmed = text.Trim();
        if (trimmed.Length > maxLength)
        {
            return HuddleError.Invalid($"{what} is {trimmed.Length} characters; at most {maxLength} are allowed.");
        }

        return trimmed.Any(ch => char.IsControl(ch) && ch is not ('\n' or '\r' or '\t'))
            ? HuddleError.Invalid($"{what} contains control characters.")
            : null;
    }

    private static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
