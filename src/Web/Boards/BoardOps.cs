using System.Collections.Frozen;
using System.Text.Json;
using Huddle.Contracts.Boards;
using Huddle.Contracts.Common;

using Huddle.Web.Http;

namespace Huddle.Web.Boards;

/// <summary>
/// The board operations clients may call, by name: every concrete <see cref="BoardCommand"/> is an
/// operation named like its type in camelCase ("moveCard"), whose JSON arguments are the record's
/// fields. One table serves the hub and HTTP, so a new command needs no new endpoint.
/// </summary>
public static class BoardOps
{
    private static readonly FrozenDictionary<string, Type> ByName = typeof(BoardCommand).Assembly.GetTypes()
        .Where(t => t.IsSubclassOf(typeof(BoardCommand)) && !t.IsAbstract)
        .ToFrozenDictionary(BoardCommand.OpName, StringComparer.Ordinal);

    /// <summary>All operation names, sorted.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. ByName.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Reads <paramref name="args"/> as the arguments of <paramref name="op"/>.</summary>
    public static (BoardCommand? Command, HuddleError? Error) Parse(string op, JsonElement? args)
    {
        if (string.IsNullOrEmpty(op) || !ByName.TryGetValue(op, out var type))
        {
            return (null, HuddleError.NotFound("Operation", op ?? ""));
        }

        var json = args is { ValueKind: not (JsonValueKind.Undefined or JsonValueKind.Null) } a ? a : EmptyObject;
        if (json.ValueKind != JsonValueKind.Object)
        {
            return (null, HuddleError.Invalid($"Arguments of '{op}' must be a JSON object."));
        }

        try
        {
            return json.Deserialize(type, HuddleJson.Options) is BoardCommand command
                ? (command, null)
                : (null, HuddleError.Invalid($"Arguments of '{op}' are missing."));
        }
        catch (JsonException ex)
        {
            // The serializer's message names the field and what was wrong with it; it never echoes values.
            return (null, HuddleError.Invalid($"Arguments of '{op}' are not valid: {ex.Message}"));
        }
    }

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();
}
