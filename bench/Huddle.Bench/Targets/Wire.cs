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

    /// <summary>A handoff command's summary carries the handoff's id (null for other replies).</summary>
    public string? HandoffId { get; set; }
}

/// <summary>
/// The part of a HandoffInboxChanged event the bench reads: whether it is a ping, and the room, which
/// carries the run tag and sequence number (<see cref="Notes.Tag"/>).
/// </summary>
internal sealed class BenchPing
{
    public bool Ping { get; set; }

    public BenchPingItem? Item { get; set; }
}

internal sealed class BenchPingItem
{
    public string? Room { get; set; }
}

/// <summary>The part of a ThreadChanged event the bench reads: the message's text, which starts with the run tag and sequence number.</summary>
internal sealed class BenchThreadChange
{
    public string? ThreadId { get; set; }

    public BenchThreadMessage? Message { get; set; }

    public bool Reset { get; set; }
}

internal sealed class BenchThreadMessage
{
    public string? Text { get; set; }
}

/// <summary>A member of a bench team, as <c>PUT /api/dev/teams/{teamId}</c> takes it.</summary>
internal sealed record BenchMember(string UserId, string DisplayName, string Role);

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

    public static string Format(int tag, int seq) => $"{Tag(tag, seq)} {Filler}"[..Length];

    /// <summary>The run tag and sequence number alone, "b0007#00001234" (14 characters; a handoff's room).</summary>
    public static string Tag(int tag, int seq) => string.Create(CultureInfo.InvariantCulture, $"b{tag:D4}#{seq:D8}");

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
    /// <summary>The event a Huddle inbox (and the baseline, replaying one) sends a ping with.</summary>
    public const string InboxEvent = "HandoffInboxChanged";

    /// <summary>
    /// Calls <paramref name="onMarker"/> with the room of the first ping (<c>ping: true</c>) of each request
    /// the connection receives; other inbox changes are ignored. Huddle sends a ping twice, as a hint
    /// straight after the handoff's write and as the inbox's numbered change: the device has the ping
    /// when the first arrives, so that is the one timed, and the second is not counted again.
    /// </summary>
    public static void ListenForPings(HubConnection connection, Action<string?> onMarker)
    {
        // The rooms of the last few pings this device timed (a hint and its numbered change arrive close together).
        var recent = new Queue<string>();
        connection.On<BenchPing>(InboxEvent, change =>
        {
            if (!change.Ping)
            {
                return;
            }

            var room = change.Item?.Room;
            lock (recent)
            {
                if (room is not null && recent.Contains(room))
                {
                    return;
                }

                if (room is not null)
                {
                    recent.Enqueue(room);
                    if (recent.Count > 64)
                    {
                        recent.Dequeue();
                    }
                }
            }

            onMarker(room);
        });
    }

    /// <summary>The event a Huddle thread (and the baseline, replaying one) sends a message with.</summary>
    public const string ThreadEvent = "ThreadChanged";

    /// <summary>Calls <paramref name="onMarker"/> with the text of every message (<c>ThreadChanged</c>) the connection receives.</summary>
    public static void ListenForMessages(HubConnection connection, Action<string?> onMarker) =>
        connection.On<BenchThreadChange>(ThreadEvent, change => onMarker(change.Message?.Text));

    /// <summary>Calls <paramref name="onMarker"/> with the first card's note of every BoardChanged the connection receives.</summary>
    public static void ListenForChanges(HubConnection connection, Action<string?> onMarker) =>
        connection.On<BenchChange>("BoardChanged", change => onMarker(change.Cards is { Length: > 0 } cards ? cards[0].Note : null));

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
