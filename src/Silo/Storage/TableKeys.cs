using System.Globalization;
using System.Text;
using Orleans.Runtime;

namespace Huddle.Silo.Storage;

/// <summary>
/// Partition and row keys of Huddle's table. A grain's rows share one partition
/// (<c>{service id}|{grain id}</c>); its state rows are <c>s|{state name}</c> and its history pages
/// <c>h|{stream}|{page, 19 digits}</c>, so a range query reads pages in order.
/// </summary>
/// <remarks>
/// Azure forbids <c>/ \ # ?</c> and control characters in keys. Each part is escaped reversibly
/// (<c>~XX</c>, or <c>~uXXXX</c> for a lone surrogate) instead of replaced, so two different grain
/// ids can never land on one row. <c>~</c> and <c>|</c> are escaped too, which keeps the separators
/// unambiguous; <c>%</c> and <c>'</c> are escaped because they have tripped URL and OData handling of
/// keys in some clients.
/// </remarks>
internal static class TableKeys
{
    /// <summary>Longest key: 1 KiB, counted as Azure sizes strings (2 bytes per UTF-16 char).</summary>
    public const int MaxKeyChars = 512;

    private const char EscapeChar = '~';
    private const char Separator = '|';
    private const string StatePrefix = "s|";
    private const string HistoryPrefix = "h|";

    /// <summary>The partition holding every row of <paramref name="grainId"/> in <paramref name="serviceId"/>.</summary>
    public static string PartitionKey(string serviceId, GrainId grainId) =>
        CheckLength("partition key", Escape(serviceId) + Separator + Escape(grainId.ToString()));

    /// <summary>The row of state <paramref name="stateName"/>.</summary>
    public static string StateRowKey(string stateName) => CheckLength("row key", StatePrefix + Escape(stateName));

    /// <summary>The row of history page <paramref name="page"/> of <paramref name="stream"/>.</summary>
    public static string HistoryRowKey(string stream, long page)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(page);
        return CheckLength("row key", HistoryPrefix + Escape(stream) + Separator + page.ToString("D19", CultureInfo.InvariantCulture));
    }

    /// <summary>The first row key of <paramref name="stream"/>'s pages (inclusive).</summary>
    public static string HistoryPrefixOf(string stream) => HistoryPrefix + Escape(stream) + Separator;

    /// <summary>The page number in a history row key.</summary>
    public static long PageOf(string rowKey) =>
        long.Parse(rowKey.AsSpan(rowKey.LastIndexOf(Separator) + 1), NumberStyles.None, CultureInfo.InvariantCulture);

    /// <summary>Escapes what Azure forbids in keys, and the escape and separator characters.</summary>
    public static string Escape(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var first = IndexOfEscaped(value);
        if (first < 0)
        {
            return value;
        }

        var sb = new StringBuilder(value.Length + 8);
        sb.Append(value, 0, first);
        for (var i = first; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsSurrogate(c))
            {
                if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                {
                    sb.Append(c).Append(value[++i]);
                }
                else
                {
                    // A lone surrogate would be turned into U+FFFD on the wire: two ids, one row.
                    sb.Append(EscapeChar).Append('u').Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                }
            }
            else if (MustEscape(c))
            {
                sb.Append(EscapeChar).Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    /// <summary>Reverses <see cref="Escape"/> (diagnostics and tests).</summary>
    public static string Unescape(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!value.Contains(EscapeChar, StringComparison.Ordinal))
        {
            return value;
        }

        var sb = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] != EscapeChar)
            {
                sb.Append(value[i]);
            }
            else if (value[i + 1] == 'u')
            {
                sb.Append((char)int.Parse(value.AsSpan(i + 2, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                i += 5;
            }
            else
            {
                sb.Append((char)int.Parse(value.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                i += 2;
            }
        }

        return sb.ToString();
    }

    private static int IndexOfEscaped(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (MustEscape(value[i]) || char.IsSurrogate(value[i]))
            {
                return i;
            }
        }

        return -1;
    }

    // char.IsControl is U+0000-U+001F and U+007F-U+009F: exactly the control characters Azure forbids.
    private static bool MustEscape(char c) =>
        c is '/' or '\\' or '#' or '?' or EscapeChar or Separator or '%' or '\'' || char.IsControl(c);

    private static string CheckLength(string what, string key) =>
        key.Length <= MaxKeyChars ? key : throw new StorageLimitExceededException($"{what} length (chars, escaped)", key.Length, MaxKeyChars);
}
