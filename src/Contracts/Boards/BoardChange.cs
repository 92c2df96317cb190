using System.Collections.Immutable;

namespace Huddle.Contracts.Boards;

/// <summary>
/// What one accepted operation changed, sent to every subscriber of the board. A client merges it
/// without knowing the operation: upsert the entities present, drop the removed ids, take
/// <see cref="Lanes"/> (the full lane list) when present. <see cref="Reset"/> means "re-fetch the
/// snapshot" (a new day began). A client that sees a version gap re-fetches too.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.board-change")]
public sealed record BoardChange(
    [property: Id(0)] string TeamId,
    [property: Id(1)] long Version,
    [property: Id(2)] string Op,
    [property: Id(3)] string ActorId,
    [property: Id(4)] DateTimeOffset At,
    [property: Id(5)] ImmutableArray<BoardLane>? Lanes = null,
    [property: Id(6)] ImmutableArray<PatientCard> Cards = default,
    [property: Id(7)] ImmutableArray<string> RemovedCardIds = default,
    [property: Id(8)] ImmutableArray<ActionItem> ActionItems = default,
    [property: Id(9)] ImmutableArray<string> RemovedActionItemIds = default,
    [property: Id(10)] ImmutableArray<HuddleNote> Notes = default,
    [property: Id(11)] ImmutableArray<string> RemovedNoteIds = default,
    [property: Id(12)] bool SessionChanged = false,
    [property: Id(13)] HuddleSession? Session = null,
    [property: Id(14)] BoardSettings? Settings = null,
    [property: Id(15)] bool Reset = false)
{
    /// <summary>
    /// "Re-read the board": sent when a client cannot be told what changed (the roster changed, or
    /// changes were missed while a grain did not know a host).
    /// </summary>
    public static BoardChange ResetAt(string teamId, long version, string op, DateTimeOffset at) =>
        new(teamId, version, op, "system", at, null, [], [], [], [], [], [], false, null, null, Reset: true);

    /// <summary>The change that turns <paramref name="before"/> into <paramref name="after"/>.</summary>
    public static BoardChange Between(HuddleBoard before, HuddleBoard after, string op, string actorId, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var (cards, removedCards) = Diff(before.Cards, after.Cards, c => c.Id);
        var (items, removedItems) = Diff(before.ActionItems, after.ActionItems, i => i.Id);
        var (notes, removedNotes) = Diff(before.Notes, after.Notes, n => n.Id);
        var sessionChanged = !Equals(before.Session, after.Session);
        return new BoardChange(
            after.TeamId, after.Version, op, actorId, at,
            Lanes: before.Lanes == after.Lanes ? null : after.Lanes,
            Cards: cards, RemovedCardIds: removedCards,
            ActionItems: items, RemovedActionItemIds: removedItems,
            Notes: notes, RemovedNoteIds: removedNotes,
            SessionChanged: sessionChanged,
            Session: sessionChanged ? after.Session : null,
            Settings: before.Settings == after.Settings ? null : after.Settings,
            Reset: before.Day != after.Day);
    }

    /// <summary>
    /// Merges this change into <paramref name="board"/>. Returns null when it cannot be applied
    /// (a version gap, or a reset): the caller must re-fetch the snapshot.
    /// </summary>
    public HuddleBoard? ApplyTo(HuddleBoard board)
    {
        ArgumentNullException.ThrowIfNull(board);
        if (Reset || Version != board.Version + 1 || board.TeamId != TeamId)
        {
            return null;
        }

        return board with
        {
            Version = Version,
            Lanes = Lanes ?? board.Lanes,
            Cards = Merge(board.Cards, Cards, RemovedCardIds, c => c.Id),
            ActionItems = Merge(board.ActionItems, ActionItems, RemovedActionItemIds, i => i.Id),
            Notes = Merge(board.Notes, Notes, RemovedNoteIds, n => n.Id),
            Session = SessionChanged ? Session : board.Session,
            Settings = Settings ?? board.Settings,
        };
    }

    private static (ImmutableArray<T> Upserted, ImmutableArray<string> Removed) Diff<T>(
        ImmutableArray<T> before, ImmutableArray<T> after, Func<T, string> id)
        where T : class
    {
        if (before == after)
        {
            return ([], []);
        }

        var old = before.ToDictionary(id);
        var upserted = ImmutableArray.CreateBuilder<T>();
        var seen = new HashSet<string>();
        foreach (var entity in after)
        {
            var key = id(entity);
            seen.Add(key);
            if (!old.TryGetValue(key, out var previous) || !ReferenceEquals(previous, entity) && !previous.Equals(entity))
            {
                upserted.Add(entity);
            }
        }

        var removed = before.Select(id).Where(key => !seen.Contains(key)).ToImmutableArray();
        return (upserted.ToImmutable(), removed);
    }

    private static ImmutableArray<T> Merge<T>(ImmutableArray<T> current, ImmutableArray<T> upserts, ImmutableArray<string> removed, Func<T, string> id)
    {
        if (upserts.IsDefaultOrEmpty && removed.IsDefaultOrEmpty)
        {
            return current;
        }

        var gone = removed.IsDefault ? [] : removed.ToHashSet();
        var byId = upserts.IsDefault ? [] : upserts.ToDictionary(id);
        var merged = ImmutableArray.CreateBuilder<T>(current.Length + byId.Count);
        foreach (var entity in current)
        {
            var key = id(entity);
            if (gone.Contains(key))
            {
                continue;
            }

            merged.Add(byId.Remove(key, out var updated) ? updated : entity);
        }

        foreach (var added in upserts.IsDefault ? [] : upserts)
        {
            if (byId.ContainsKey(id(added)))
            {
                merged.Add(added);
            }
        }

        return merged.ToImmutable();
    }
}
