using System.Text.Json;
using Huddle.Contracts.Boards;
using Huddle.Contracts.Common;
using Huddle.Web.Http;

namespace Huddle.Web.Boards;

/// <summary>
/// Reads a board operation from the wire: its declared name (<see cref="BoardOperations"/>) and its
/// JSON arguments, strictly (exact names, no unknown fields). One parser serves the hub and HTTP, so
/// a new command needs no new endpoint.
/// </summary>
public static class BoardOps
{
    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    /// <summary>Reads <paramref name="args"/> as the arguments of <paramref name="op"/>.</summary>
    public static Result<BoardCommand> Parse(string op, JsonElement? args)
    {
        if (string.IsNullOrEmpty(op) || !BoardOperations.ByName.TryGetValue(op, out var type))
        {
            return HuddleError.NotFound("Operation", op ?? "");
        }

        var json = args is { ValueKind: not (JsonValueKind.Undefined or JsonValueKind.Null) } a ? a : EmptyObject;
        if (json.ValueKind != JsonValueKind.Object)
        {
            return HuddleError.Invalid($"Arguments of '{op}' must be a JSON object.");
        }

        try
        {
            return json.Deserialize(type, HuddleJson.Options) is BoardCommand command
                ? command
                : HuddleError.Invalid($"Arguments of '{op}' are missing.");
        }
        catch (JsonException ex)
        {
            return HuddleError.Invalid($"Arguments of '{op}' are not valid: {ArgumentErrors.Describe(ex)}");
        }
    }
}
