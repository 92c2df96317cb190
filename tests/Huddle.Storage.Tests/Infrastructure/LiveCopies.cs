using System.Net.Http.Json;
using System.Text.Json;

namespace Huddle.Storage.Tests.Infrastructure;

// Live copies kept by the rules of docs/api.md ("Keeping a live copy"), as a client written from the
// docs keeps them: the restart tests compare them with what the server holds at every step.

/// <summary>What the test compares of a board: its version and its action items (id → title).</summary>
internal sealed record BoardView(long Version, string Items);

/// <summary>A client's copy, kept as docs/api.md says: a snapshot, then changes merged by id.</summary>
internal sealed class BoardCopy
{
    private readonly SortedDictionary<string, string> _items = new(StringComparer.Ordinal);

    public long Version { get; private set; }

    /// <summary>The board the server holds, as a copy sees it (<c>GET …/board</c>).</summary>
    public static async Task<BoardView> ReadAsync(HttpClient http, string teamId, CancellationToken ct)
    {
        var copy = new BoardCopy();
        copy.Take(await http.GetFromJsonAsync<JsonElement>($"api/teams/{teamId}/board", ct));
        return copy.Board;
    }

    /// <summary>Adds an action item over HTTP; the board's new version.</summary>
    public static async Task<long> AddItemAsync(HttpClient http, string teamId, string title, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync($"api/teams/{teamId}/board/addActionItem", new { title }, ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        return body.GetProperty("version").GetInt64();
    }

    public BoardView Board => new(Version, string.Join("|", _items.Select(i => $"{i.Key}={i.Value}")));

    public void Take(JsonElement board)
    {
        _items.Clear();
        foreach (var item in board.GetProperty("actionItems").EnumerateArray())
        {
            _items[item.GetProperty("id").GetString()!] = item.GetProperty("title").GetString()!;
        }

        Version = board.GetProperty("version").GetInt64();
    }

    public void Merge(JsonElement change)
    {
        foreach (var item in change.GetProperty("actionItems").EnumerateArray())
        {
            _items[item.GetProperty("id").GetString()!] = item.GetProperty("title").GetString()!;
        }

        foreach (var removed in change.GetProperty("removedActionItemIds").EnumerateArray())
        {
            _items.Remove(removed.GetString()!);
        }

        Version = change.GetProperty("version").GetInt64();
    }

    /// <summary>A live <c>BoardChanged</c> by the documented rules: ignored at or below the copy's version, else it must be the next one (a reset fails: none is expected where this is used).</summary>
    public void Apply(JsonElement change)
    {
        Assert.False(change.GetProperty("reset").GetBoolean(), change.ToString());
        var version = change.GetProperty("version").GetInt64();
        if (version > Version)
        {
            Assert.Equal(Version + 1, version);
            Merge(change);
        }
    }

    /// <summary>A <c>ResumeBoard</c> reply: the snapshot when it says reset, else its changes in order.</summary>
    public void Resume(JsonElement reply)
    {
        if (reply.GetProperty("reset").GetBoolean())
        {
            Take(reply.GetProperty("board"));
            return;
        }

        foreach (var change in reply.GetProperty("changes").EnumerateArray())
        {
            Assert.Equal(Version + 1, change.GetProperty("version").GetInt64());
            Merge(change);
        }

        Assert.Equal(reply.GetProperty("version").GetInt64(), Version);
        Assert.False(reply.GetProperty("more").GetBoolean(), reply.ToString());
    }

    public BoardCopy Clone()
    {
        var clone = new BoardCopy { Version = Version };
        foreach (var (id, title) in _items)
        {
            clone._items[id] = title;
        }

        return clone;
    }
}

/// <summary>
/// A copy of a feed of handoff summaries numbered by seq (a clinician's inbox, a team's desk): a snapshot of
/// items, then numbered changes applied in order, each carrying one item merged by the subclass's rule.
/// </summary>
internal abstract class HandoffFeedCopy
{
    public long Seq { get; private set; }

    /// <summary>A feed reply with <c>reset: true</c>: the snapshot.</summary>
    public void Take(JsonElement reply)
    {
        Assert.True(reply.GetProperty("reset").GetBoolean(), reply.ToString());
        Clear();
        foreach (var item in reply.GetProperty("snapshot").GetProperty("items").EnumerateArray())
        {
            Merge(item);
        }

        Seq = reply.GetProperty("seq").GetInt64();
    }

    /// <summary>A <c>Resume…</c> reply: the snapshot when it says reset, else its changes in order.</summary>
    public void Resume(JsonElement reply)
    {
        if (reply.GetProperty("reset").GetBoolean())
        {
            Take(reply);
            return;
        }

        foreach (var change in reply.GetProperty("changes").EnumerateArray())
        {
            Apply(change);
        }

        Assert.Equal(reply.GetProperty("seq").GetInt64(), Seq);
        Assert.False(reply.GetProperty("more").GetBoolean(), reply.ToString());
    }

    /// <summary>One event: a numbered change at or below the copy's seq is ignored, else it must be the next one (a reset fails: none is expected where this is used).</summary>
    public void Apply(JsonElement change)
    {
        Assert.False(change.GetProperty("reset").GetBoolean(), change.ToString());
        if (Unnumbered(change))
        {
            return;
        }

        var seq = change.GetProperty("seq").GetInt64();
        if (seq <= Seq)
        {
            return;
        }

        Assert.Equal(Seq + 1, seq);
        // A numbered change that is not a reset carries its item (an event without one asks for a catch-up: none is expected here).
        Assert.Equal(JsonValueKind.Object, change.GetProperty("item").ValueKind);
        Merge(change.GetProperty("item"));
        Seq = seq;
    }

    /// <summary>Takes an event that is not a numbered change (true), such as the inbox's hint.</summary>
    protected virtual bool Unnumbered(JsonElement change) => false;

    protected abstract void Clear();

    protected abstract void Merge(JsonElement item);
}

/// <summary>A device's copy of an inbox: its seq and each handoff's summary (version, status) by id.</summary>
internal sealed class InboxCopy : HandoffFeedCopy
{
    private readonly SortedDictionary<string, (long Version, string Status)> _items = new(StringComparer.Ordinal);

    /// <summary>The inbox the server holds (<c>GET /api/inbox</c>), as a copy's <see cref="View"/>.</summary>
    public static async Task<string> ReadAsync(HttpClient http, CancellationToken ct)
    {
        var copy = new InboxCopy();
        copy.Take(await http.GetFromJsonAsync<JsonElement>("api/inbox", ct));
        return copy.View;
    }

    public bool Pinged { get; private set; }

    public string View => string.Join("|", _items.Select(i => $"{i.Key}@{i.Value.Version}:{i.Value.Status}"));

    public long Version(string handoffId) => _items.GetValueOrDefault(handoffId).Version;

    public string? Status(string handoffId) => _items.GetValueOrDefault(handoffId).Status;

    /// <summary>A ping is noted from a hint or a numbered change; a hint (seq 0) merges its item by version and leaves the seq.</summary>
    protected override bool Unnumbered(JsonElement change)
    {
        Pinged |= change.GetProperty("ping").GetBoolean();
        if (!change.GetProperty("hint").GetBoolean())
        {
            return false;
        }

        Assert.Equal(0, change.GetProperty("seq").GetInt64());
        Merge(change.GetProperty("item"));
        return true;
    }

    protected override void Clear() => _items.Clear();

    protected override void Merge(JsonElement item)
    {
        var id = item.GetProperty("handoffId").GetString()!;
        var version = item.GetProperty("version").GetInt64();
        if (version > _items.GetValueOrDefault(id).Version)
        {
            _items[id] = (version, item.GetProperty("status").GetString()!);
        }
    }
}

/// <summary>The desk's copy of the team's open handoffs: each open handoff's summary by id; one no longer open leaves it.</summary>
internal sealed class DeskCopy : HandoffFeedCopy
{
    private readonly SortedDictionary<string, JsonElement> _items = new(StringComparer.Ordinal);

    /// <summary>The team's open handoffs as the server holds them (<c>GET /api/teams/{teamId}/handoffs</c>), as a copy's <see cref="View"/>.</summary>
    public static async Task<string> ReadAsync(HttpClient http, string teamId, CancellationToken ct)
    {
        var copy = new DeskCopy();
        copy.Take(await http.GetFromJsonAsync<JsonElement>($"api/teams/{teamId}/handoffs", ct));
        return copy.View;
    }

    /// <summary>What the tests compare: each open handoff's version, status, who accepted and who declined.</summary>
    public string View => string.Join("|", _items.Select(i => $"{i.Key}@{i.Value.GetProperty("version")}:{i.Value.GetProperty("status")}"
        + $" by {i.Value.GetProperty("acceptedBy")} declined [{string.Join(",", Declined(i.Key))}]"));

    /// <summary>The summary's version, 0 when the handoff is not in the list.</summary>
    public long Version(string id) => _items.TryGetValue(id, out var item) ? item.GetProperty("version").GetInt64() : 0;

    public string? Status(string id) => _items.TryGetValue(id, out var item) ? item.GetProperty("status").GetString() : null;

    public string? AcceptedBy(string id) => _items.TryGetValue(id, out var item) ? item.GetProperty("acceptedBy").GetString() : null;

    public string[] Declined(string id) =>
        _items.TryGetValue(id, out var item) ? [.. item.GetProperty("declined").EnumerateArray().Select(d => d.GetString()!)] : [];

    protected override void Clear() => _items.Clear();

    /// <summary>An item no longer open leaves the list (docs/api.md, <c>TeamHandoffsChanged</c>).</summary>
    protected override void Merge(JsonElement item)
    {
        var id = item.GetProperty("handoffId").GetString()!;
        if (item.GetProperty("version").GetInt64() <= Version(id) && _items.ContainsKey(id))
        {
            return;
        }

        var status = item.GetProperty("status").GetString();
        var open = status is "requested" or "accepted" or "inProgress"
            || (status is "failed" or "declined" && item.GetProperty("referral").GetString() == "scheduled");
        if (open)
        {
            _items[id] = item.Clone();
        }
        else
        {
            _items.Remove(id);
        }
    }
}

/// <summary>Warm handoff requests as the restart tests make them.</summary>
internal static class HandoffRequests
{
    /// <summary>An urgent request for <paramref name="patientId"/> in Exam 3 to <paramref name="target"/> (<c>{ userId }</c> or <c>{ role }</c>) over HTTP; the new handoff's id.</summary>
    public static async Task<string> RequestAsync(HttpClient asRequester, string teamId, string patientId, object target, string opId, CancellationToken ct)
    {
        using var requested = await asRequester.PostAsJsonAsync("api/handoffs", new
        {
            teamId,
            patientId,
            room = "Exam 3",
            target,
            priority = "urgent",
            reason = new { situation = "PHQ-9 of 18 today" },
            opId,
        }, ct);
        Assert.True(requested.IsSuccessStatusCode, await requested.Content.ReadAsStringAsync(ct));
        return (await requested.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("handoffId").GetString()!;
    }
}
