namespace Huddle.Web.Boards;

/// <summary>
/// A card move the board accepted, as the board view announces it: from which lane, to which lane
/// and where in it (<see cref="ToIndex"/> counts the target lane's cards without the moved one, as
/// <c>MoveCard</c> does, so it is the card's place once moved), and how many cards that lane then holds.
/// </summary>
public sealed record CardMove(string CardId, string FromLaneId, string ToLaneId, int ToIndex, int LaneLength)
{
    /// <summary>True when the card changed place in its own lane (a reorder), not lane.</summary>
    public bool WithinLane => FromLaneId == ToLaneId;
}
