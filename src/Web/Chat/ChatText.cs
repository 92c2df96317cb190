using System.Text.RegularExpressions;

namespace Huddle.Web.Chat;

/// <summary>
/// A message's text as it is shown: plain text, with http and https addresses as links. Nothing in a
/// message is ever markup: every segment is rendered as text (Razor encodes it), and only an absolute
/// http(s) address becomes a link's target, so <c>javascript:</c>, <c>data:</c> and the like stay text.
/// </summary>
public static partial class ChatText
{
    /// <summary>One piece of a message: text, and the address it links to when it is a link.</summary>
    public readonly record struct Segment(string Text, Uri? Link);

    /// <summary>The segments of <paramref name="text"/>, in order.</summary>
    public static IEnumerable<Segment> Segments(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var at = 0;
        foreach (Match match in Address().Matches(text))
        {
            // Punctuation right after an address ends the sentence, not the address.
            var value = match.Value.TrimEnd('.', ',', ';', ':', '!', '?', ')', ']', '\'', '"');
            if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                continue;
            }

            if (match.Index > at)
            {
                yield return new Segment(text[at..match.Index], null);
            }

            yield return new Segment(value, uri);
            at = match.Index + value.Length;
        }

        if (at < text.Length)
        {
            yield return new Segment(text[at..], null);
        }
    }

    [GeneratedRegex(@"https?://[^\s<>""]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Address();
}
