using System.Collections.Immutable;
using Huddle.Contracts.Boards;

namespace Huddle.Grains.CareTeams.Board;

/// <summary>
/// What the team-room screen may show. In privacy mode (the default) a card shows initials and
/// room only: no full name, no note, no clinical detail on flags. The server applies this before
/// anything is sent to a room display, so a wall screen never receives what it must not show.
/// </summary>
public static class SharedScreenPrivacy
{
    /// <summary>The board as a room display may see it.</summary>
    public static HuddleBoard Redact(HuddleBoard board)
    {
        ArgumentNullException.ThrowIfNull(board);
        return board.Settings.ShowNamesOnSharedScreen ? board : board with { Cards = RedactAll(board.Cards) };
    }

    /// <summary>The change as a room display may see it, given the board's settings after it.</summary>
    public static BoardChange Redact(BoardChange change, BoardSettings settings)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(settings);
        // A privacy switch changes what every card on the wall may show: a reset makes the screen
        // re-fetch the snapshot, redacted (or not) as the new setting says.
        if (change.Settings is not null)
        {
            return change with { Cards = settings.ShowNamesOnSharedScreen ? change.Cards : RedactAll(change.Cards), Reset = true };
        }

        if (settings.ShowNamesOnSharedScreen || change.Cards.IsDefaultOrEmpty)
        {
            return change;
        }

        return change with { Cards = RedactAll(change.Cards) };
    }

    /// <summary>One card as privacy mode shows it.</summary>
    public static PatientCard Redact(PatientCard card)
    {
        ArgumentNullException.ThrowIfNull(card);
        return card with
        {
            PatientName = card.Initials,
            Note = null,
            Flags = [.. card.Flags.Select(f => f.Detail is null ? f : f with { Detail = null })],
        };
    }

    private static ImmutableArray<PatientCard> RedactAll(ImmutableArray<PatientCard> cards) =>
        cards.IsDefault ? cards : [.. cards.Select(Redact)];
}
