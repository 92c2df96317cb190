namespace Huddle.Contracts.Boards;

/// <summary>Sizes a board never exceeds, so a wall screen stays readable and state stays small.</summary>
public static class BoardLimits
{
    public const int TitleLength = 120;
    public const int NoteLength = 500;
    public const int SummaryLength = 2000;
    public const int FlagDetailLength = 40;
    public const int Lanes = 12;
    public const int Cards = 200;
    public const int ActionItems = 200;
    public const int Notes = 50;
    public const int FlagsPerCard = 10;
}
