using System.Collections.Frozen;

namespace Huddle.Contracts.Handoffs;

/// <summary>
/// The handoff operations' public names, declared once (docs/api.md, "Warm handoffs"): renaming a C#
/// type never changes them. Every concrete <see cref="HandoffCommand"/> is listed (a test checks it).
/// </summary>
public static class HandoffOperations
{
    private static readonly (string Name, Type Type)[] Declared =
    [
        ("request", typeof(RequestHandoff)),
        ("accept", typeof(AcceptHandoff)),
        ("decline", typeof(DeclineHandoff)),
        ("join", typeof(JoinHandoff)),
        ("complete", typeof(CompleteHandoff)),
        ("cancel", typeof(CancelHandoff)),
        ("scheduleReferral", typeof(ScheduleReferral)),
        ("attendReferral", typeof(AttendReferral)),
        ("closeReferral", typeof(CloseReferral)),
    ];

    private static readonly FrozenDictionary<Type, string> NameByType = Declared.ToFrozenDictionary(d => d.Type, d => d.Name);

    /// <summary>Every operation name.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Declared.Select(d => d.Name)];

    /// <summary>Every declared command type.</summary>
    public static IReadOnlyList<Type> Types { get; } = [.. Declared.Select(d => d.Type)];

    /// <summary>The public name of a command type; an undeclared one is a bug.</summary>
    public static string NameOf(Type type) =>
        NameByType.TryGetValue(type, out var name) ? name : throw new InvalidOperationException($"{type.Name} has no declared operation name.");
}
