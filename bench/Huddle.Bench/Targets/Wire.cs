using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace Huddle.Bench.Targets;

/// <summary>
/// The part of a BoardChanged event the bench reads. The JSON protocol binds straight to this and
/// skips every other field, so a delivery costs one small object graph on the client.
/// </summary>
internal sealed class BenchChange
{
    public BenchCard[]? Cards { get; set; }
}

internal sealed class BenchCard
{
    public string? Note { get; set; }
}

/// <summary>Huddle's hub reply shapes, only as far as the bench needs them.</summary>
internal sealed class BenchReply
{
    public bool Ok { get; set; }

    public JsonElement? Error { get; set; }
}

/// <summary>The arguments of Huddle's setCardNote operation.</summary>
internal sealed record NoteArgs(string CardId, string Note);

/// <summary>
/// The note an update carries: a fixed-width run tag and sequence number, padded to a typical
/// note's length so every update has the same size. "b0007#00001234 Called patient re: ...".
/// </summary>
internal static class Notes
{
    public const int Length = 120;
    private const string Filler = "Called re: PHQ-9 follow-up; warm handoff to BHC booked Thu 10:00; check med adherence and sleep; ride arranged.....";

    public static string Format(int tag, int seq) =>
        string.Create(CultureInfo.InvariantCulture, $"b{tag:D4}#{seq:D8} {Filler}")[..Length];

    /// <summary>Reads tag and sequence back; false for any other note.</summary>
    public static bool TryParse(string? note, out int tag, out int seq)
    {
        tag = seq = 0;
        return note is { Length: >= 14 } && note[0] == 'b' && note[5] == '#'
            && int.TryParse(note.AsSpan(1, 4), NumberStyles.None, CultureInfo.InvariantCulture, out tag)
            && int.TryParse(note.AsSpan(6, 8), NumberStyles.None, CultureInfo.InvariantCulture, out seq);
    }
}

internal static class Connections
{
    /// <summary>
    /// A WebSocket + JSON-protocol connection, as browsers and the .NET client use by default,
    /// without the negotiate round trip (WebSockets only).
    /// </summary>
    public static HubConnection Build(Uri hub, string? token)
    {
        var builder = new HubConnectionBuilder()
            .WithUrl(hub, o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
                if (token is not null)
                {
                    o.AccessTokenProvider = () => Task.FromResult<string?>(token);
                }
            });
        var connection = builder.Build();
        // The bench drives load for seconds, not minutes; a generous timeout avoids false disconnects
        // when the shared cores are saturated.
        connection.ServerTimeout = TimeSpan.FromSeconds(60);
        return connection;
    }
}
