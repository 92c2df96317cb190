using System.Collections.Immutable;

namespace Huddle.Contracts.Boards;

/// <summary>
/// An explicit change to a huddle board. Every command may carry <see cref="ExpectedVersion"/>:
/// when set and the board has moved on, the command is rejected with version_conflict.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.cmd")]
public abstract record BoardCommand
{
    /// <summary>The board version the caller last saw; null accepts whatever is current.</summary>
    [Id(0)]
    public long? ExpectedVersion { get; init; }

    /// <summary>
    /// The caller's id for this operation (1-64 characters: letters, digits, '-', '_', '.'). A retry
    /// with the same id inside the idempotency window returns the first result and applies nothing
    /// twice, so a write that failed with "unavailable" after it had landed can be retried safely.
    /// </summary>
    [Id(1)]
    public string? OpId { get; init; }

    /// <summary>The operation's public name, used in change events and logs, e.g. "moveCard" (<see cref="BoardOperations"/>).</summary>
    public string Op => BoardOperations.NameOf(GetType());
}

[GenerateSerializer, Immutable, Alias("huddle.cmd.add-lane")]
public sealed record AddLane([property: Id(0)] string Title) : BoardCommand;

[GenerateSerializer, Immutable, Alias("huddle.cmd.rename-lane")]
public sealed record RenameLane([property: Id(0)] string LaneId, [property: Id(1)] string Title) : BoardCommand;

[GenerateSerializer, Immutable, Alias("huddle.cmd.move-lane")]
public sealed record MoveLane([property: Id(0)] string LaneId, [property: Id(1)] int ToIndex) : BoardCommand;

[GenerateSerializer, Immutable, Alias("huddle.cmd.remove-lane")]
public sealed record RemoveLane([property: Id(0)] string LaneId) : BoardCommand;

/// <summary>Adds a patient card; the grain resolves the patient before the rules run.</summary>
[GenerateSerializer, Immutable, Alias("huddle.cmd.add-card")]
public sealed record AddCard(
    [property: Id(0)] string PatientId,
    [property: Id(1)] string LaneId,
    [property: Id(2)] string? OwnerId = null,
    [property: Id(3)] DateOnly? Due = null,
    [property: Id(4)] string? Note = null) : BoardCommand;

/// <summary>Moves a card to a lane and position; the same lane with a new index reorders.</summary>
[GenerateSerializer, Immutable, Alias("huddle.cmd.move-card")]
public sealed record MoveCard(
    [property: Id(0)] string CardId,
    [property: Id(1)] string ToLaneId,
    [property: Id(2)] int ToIndex) : BoardCommand;

[GenerateSerializer, Immutable, Alias("huddle.cmd.assign-card")]
public sealed record AssignCard([property: Id(0)] string CardId, [property: Id(1)] string? OwnerId = null) : BoardCommand;

[GenerateSerializer, Immutable, Alias("huddle.cmd.set-card-due")]
public sealed record SetCardDue([property: Id(0)] string CardId, [property: Id(1)] DateOnly? Due = null) : BoardCommand;

[GenerateSerializer, Immutable, Alias("huddle.cmd.set-card-note")]
public sealed record SetCardNote([property: Id(0)] string CardId, [property: Id(1)] string? Note = null) : BoardCommand;

[GenerateSerializer, Immutable, Alias("huddle.cmd.set-card-flags")]
public sealed record SetCardFlags([property: Id(0)] string CardId, [property: Id(1)] ImmutableArray<CardFlag> Flags) : BoardCommand;

[GenerateSerializer, Immutable, Alias("huddle.cmd.remove-card")]
public sealed record RemoveCard([property: Id(0)] string CardId) : BoardCommand;

/// <summary>Adds an action item; <see cref="Kind"/> makes it a logistics work item (transport, home care, medical equipment).</summary>
[GenerateSerializer, Immutable, Alias("huddle.cmd.add-action-item")]
public sealed record AddActionItem(
    [property: Id(0)] string Title,
    [property: Id(1)] string? OwnerId = null,
    [property: Id(2)] DateOnly? Due = null,
    [property: Id(3)] ActionItemKind Kind = ActionItemKind.Task) : BoardCommand;

[GenerateSerializer, Immutable, Alias("huddle.cmd.assign-action-item")]
public sealed record AssignActionItem([property: Id(0)] string ItemId, [property: Id(1)] string? OwnerId = null) : BoardCommand;

[GenerateSerializer, Immutable, Alias("huddle.cmd.set-action-item-due")]
public sealed record SetActionItemDue([property: Id(0)] string ItemId, [property: Id(1)] DateOnly? Due = null) : BoardCommand;

[GenerateSerializer, Immutable, Alias("huddle.cmd.complete-action-item")]
public sealed record CompleteActionItem([property: Id(0)] string ItemId) : BoardCommand;

[GenerateSerializer, Immutable, Alias("huddle.cmd.reopen-action-item")]
public sealed record ReopenActionItem([property: Id(0)] string ItemId) : BoardCommand;

[GenerateSerializer, Immutable, Alias("huddle.cmd.remove-action-item")]
public sealed record RemoveActionItem([property: Id(0)] string ItemId) : BoardCommand;

[GenerateSerializer, Immutable, Alias("huddle.cmd.add-note")]
public sealed record AddNote([property: Id(0)] NoteKind Kind, [property: Id(1)] string Text) : BoardCommand;

[GenerateSerializer, Immutable, Alias("huddle.cmd.remove-note")]
public sealed record RemoveNote([property: Id(0)] string NoteId) : BoardCommand;

[GenerateSerializer, Immutable, Alias("huddle.cmd.start-huddle")]
public sealed record StartHuddle : BoardCommand;

[GenerateSerializer, Immutable, Alias("huddle.cmd.set-attendance")]
public sealed record SetAttendance([property: Id(0)] string UserId, [property: Id(1)] bool Present) : BoardCommand;

[GenerateSerializer, Immutable, Alias("huddle.cmd.set-agenda")]
public sealed record SetAgenda([property: Id(0)] string? LaneId = null) : BoardCommand;

[GenerateSerializer, Immutable, Alias("huddle.cmd.end-huddle")]
public sealed record EndHuddle([property: Id(0)] string? Summary = null) : BoardCommand;

[GenerateSerializer, Immutable, Alias("huddle.cmd.set-shared-screen-names")]
public sealed record SetSharedScreenNames([property: Id(0)] bool Show) : BoardCommand;
