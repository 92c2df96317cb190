namespace Huddle.Contracts.Handoffs;

/// <summary>Text limits of a handoff (after trimming), enforced by the rules.</summary>
public static class HandoffLimits
{
    /// <summary>Each SBAR field: a line or two, never a note.</summary>
    public const int SbarField = 280;

    /// <summary>The room or location ("Exam 3", "Behavioral Health Annex, consult room 12B").</summary>
    public const int Room = 80;

    /// <summary>A decline or cancel reason.</summary>
    public const int Reason = 200;

    /// <summary>The longest ETA a consultant may give, in minutes.</summary>
    public const int MaxEtaMinutes = 120;
}
