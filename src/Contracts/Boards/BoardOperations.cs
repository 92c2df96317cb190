using System.Collections.Frozen;

namespace Huddle.Contracts.Boards;

/// <summary>
/// The board operations' public names, declared once (docs/api.md, "Board operations"). The name is
/// part of the API: renaming a C# type never changes it. Every concrete <see cref="BoardCommand"/>
/// must be listed (a test checks it).
/// </summary>
public static class BoardOperations
{
    private static readonly (string Name, Type Type)[] Declared =
    [
        ("addLane", typeof(AddLane)),
        ("renameLane", typeof(RenameLane)),
        ("moveLane", typeof(MoveLane)),
        ("removeLane", typeof(RemoveLane)),
        ("addCard", typeof(AddCard)),
        ("moveCard", typeof(MoveCard)),
        ("assignCard", typeof(AssignCard)),
        ("setCardDue", typeof(SetCardDue)),
        ("setCardNote", typeof(SetCardNote)),
        ("setCardFlags", typeof(SetCardFlags)),
        ("removeCard", typeof(RemoveCard)),
        ("addActionItem", typeof(AddActionItem)),
        ("assignActionItem", typeof(AssignActionItem)),
        ("setActionItemDue", typeof(SetActionItemDue)),
        ("completeActionItem", typeof(CompleteActionItem)),
        ("reopenActionItem", typeof(ReopenActionItem)),
        ("removeActionItem", typeof(RemoveActionItem)),
        ("addNote", typeof(AddNote)),
        ("removeNote", typeof(RemoveNote)),
        ("startHuddle", typeof(StartHuddle)),
        ("setAttendance", typeof(SetAttendance)),
        ("setAgenda", typeof(SetAgenda)),
        ("endHuddle", typeof(EndHuddle)),
        ("setSharedScreenNames", typeof(SetSharedScreenNames)),
    ];

    /// <summary>Command type by operation name.</summary>
    public static FrozenDictionary<string, Type> ByName { get; } = Declared.ToFrozenDictionary(d => d.Name, d => d.Type, StringComparer.Ordinal);

    private static readonly FrozenDictionary<Type, string> ByType = Declared.ToFrozenDictionary(d => d.Type, d => d.Name);

    /// <summary>All operation names, sorted.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. ByName.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The operation name of <paramref name="commandType"/>.</summary>
    public static string NameOf(Type commandType) =>
        ByType.TryGetValue(commandType, out var name) ? name : throw new InvalidOperationException($"{commandType} is not a declared board operation.");
}
