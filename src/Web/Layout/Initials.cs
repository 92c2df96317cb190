namespace Huddle.Web.Layout;

/// <summary>
/// A signed-in person's initials for the phone's app bar, where their name does not fit: the first letters
/// of their first and last names, leaving out a title ("Dr. Pat Carter" → "PC") and anything in brackets
/// ("Jo Ward (privacy officer)" → "JW"). (Patients' initials, with dots, are <c>PatientProfile.InitialsOf</c>.)
/// </summary>
public static class Initials
{
    private static readonly HashSet<string> Titles = new(StringComparer.OrdinalIgnoreCase) { "Dr", "Dr.", "Mr", "Mr.", "Mrs", "Mrs.", "Ms", "Ms.", "Mx", "Mx." };

    public static string Of(string? name)
    {
        var open = name?.IndexOf('(', StringComparison.Ordinal) ?? -1;
        var words = (open >= 0 ? name![..open] : name ?? "")
            .Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(w => !Titles.Contains(w) && char.IsLetterOrDigit(w[0]))
            .ToList();
        return words.Count switch
        {
            0 => "?",
            1 => char.ToUpperInvariant(words[0][0]).ToString(),
            _ => string.Concat(char.ToUpperInvariant(words[0][0]), char.ToUpperInvariant(words[^1][0])),
        };
    }
}
