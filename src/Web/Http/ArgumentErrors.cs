using System.Text.Json;

namespace Huddle.Web.Http;

/// <summary>
/// Why a call's JSON arguments did not bind, in words that never repeat what the client sent
/// (docs/security.md: error answers say what was wrong without quoting the input). The serializer's own
/// messages can quote it: an unknown field's name, the characters of malformed JSON, a .NET type name.
/// </summary>
public static class ArgumentErrors
{
    /// <summary>What was wrong with the arguments, and where when the place is one of the operation's own fields.</summary>
    public static string Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var inner = exception;
        while (inner.InnerException is not null && inner is not JsonException)
        {
            inner = inner.InnerException;
        }

        return inner switch
        {
            // An unknown field's path ends in the client's own name for it: only the object it is in is named.
            JsonException { Path: { } path } json when Unmapped(json) => $"{Reason(json)} (in '{Parent(path)}')",
            JsonException { Path: { Length: > 1 } path } json => $"{Reason(json)} (at '{path}')",
            JsonException json => Reason(json),
            // The hub's own binder: "Invocation provides 2 argument(s) but target expects 3" and the like.
            InvalidDataException data => data.Message,
            _ => "the arguments have the wrong number, type or format.",
        };
    }

    private static string Parent(string path)
    {
        // "$.reason.situatoin" or "$.reason['odd name']": the last segment is the client's.
        var end = path.EndsWith("']", StringComparison.Ordinal) ? path.LastIndexOf("['", StringComparison.Ordinal) : path.LastIndexOfAny(['.', '[']);
        return end > 0 ? path[..end] : "$";
    }

    private static bool Unmapped(JsonException ex) => ex.Message.Contains("could not be mapped", StringComparison.Ordinal);

    private static string Reason(JsonException ex) => ex.Message switch
    {
        _ when Unmapped(ex) => "a field is not one this operation takes (names are case-sensitive).",
        // The names listed are the operation's own fields.
        var m when m.Contains("missing required properties", StringComparison.Ordinal) =>
            $"a required field is missing{(m.IndexOf("including: ", StringComparison.Ordinal) is >= 0 and var at ? $": {m[(at + 11)..].TrimEnd('.')}" : "")}.",
        var m when m.Contains("invalid start of", StringComparison.Ordinal) || m.Contains("is invalid after", StringComparison.Ordinal)
            || m.Contains("Expected", StringComparison.Ordinal) => "the arguments are not well-formed JSON.",
        var m when m.Contains("null", StringComparison.OrdinalIgnoreCase) => "a field that may not be null is null.",
        _ => "a field has the wrong type or format.",
    };
}
