using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Huddle.Testing;

/// <summary>Keeps every log line a host writes (category, message, exception), for tests that search them.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    /// <summary>Every line so far, as "category: message exception".</summary>
    public IReadOnlyList<string> Lines => [.. _lines];

    /// <summary>The lines containing <paramref name="text"/> (ordinal, case-insensitive).</summary>
    public IReadOnlyList<string> Containing(string text) =>
        [.. _lines.Where(l => l.Contains(text, StringComparison.OrdinalIgnoreCase))];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            // The structured values too: a sink that writes them (OpenTelemetry, JSON console) would show them.
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            lines.Enqueue($"{category}: {formatter(state, exception)} [{values}] {exception}");
        }
    }
}
