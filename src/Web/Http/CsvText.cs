namespace Huddle.Web.Http;

/// <summary>CSV cells (RFC 4180) for the exports: a cell holding a comma, a quote or a line break is quoted, its quotes doubled.</summary>
public static class CsvText
{
    public static string Cell(string? value) =>
        value is null ? "" : value.AsSpan().ContainsAny(",\"\r\n") ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
}
