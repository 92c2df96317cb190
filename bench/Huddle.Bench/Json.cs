using System.Text.Json;
using System.Text.Json.Serialization;

namespace Huddle.Bench;

internal static class Json
{
    /// <summary>snake_case keys like the headline figures; NaN (nothing measured) written as a string.</summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        WriteIndented = true,
    };
}
