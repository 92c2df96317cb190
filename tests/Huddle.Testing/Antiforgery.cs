using System.Net;
using System.Text.RegularExpressions;

namespace Huddle.Testing;

/// <summary>The antiforgery token a server-rendered form carries, for a test that posts the form as a browser does.</summary>
public static partial class Antiforgery
{
    /// <summary>
    /// The value of the first <c>__RequestVerificationToken</c> field in <paramref name="html"/>, or, with
    /// <paramref name="formTestId"/>, in the form whose <c>data-testid</c> it is; fails when there is none.
    /// </summary>
    public static string TokenIn(string html, string? formTestId = null)
    {
        ArgumentNullException.ThrowIfNull(html);
        var from = formTestId is null ? 0 : html.IndexOf($"data-testid=\"{formTestId}\"", StringComparison.Ordinal);
        if (from < 0)
        {
            throw new InvalidOperationException($"The page has no form '{formTestId}'.");
        }

        var field = Field().Match(html, from);
        return field.Success
            ? WebUtility.HtmlDecode(field.Groups[1].Value)
            : throw new InvalidOperationException($"The page has no antiforgery field{(formTestId is null ? "" : $" in form '{formTestId}'")}.");
    }

    // Blazor's <AntiforgeryToken /> writes the name before the value; other attributes may sit between.
    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]*)\"")]
    private static partial Regex Field();
}
