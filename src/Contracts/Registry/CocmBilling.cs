namespace Huddle.Contracts.Registry;

/// <summary>
/// A calendar month of Collaborative Care as billing counts it: the care manager's minutes, the code
/// they reach, how many add-on units, and the minutes at which the next code or unit is reached.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.cocm-month")]
public sealed record CocmMonth(
    [property: Id(0)] bool FirstMonth,
    [property: Id(1)] int Minutes,
    [property: Id(2)] string? Code,
    [property: Id(3)] int AddOnUnits,
    [property: Id(4)] int NextAt,
    [property: Id(5)] string NextCode);

/// <summary>
/// The CoCM time codes (docs/clinical.md, "Billing minutes"; CMS MLN909432): 99492, the first
/// calendar month of care management (70 minutes), 99493 each later month (60 minutes), and the add-on
/// 99494 for each further 30 minutes. A time code counts once more than half its time is spent: 36
/// minutes for 99492, 31 for 99493, and 16 of each further 30 for 99494 (so 86, 116, … in the first
/// month; 76, 106, … later).
/// </summary>
public static class CocmBilling
{
    public const string Initial = "99492";
    public const string Subsequent = "99493";
    public const string AddOn = "99494";

    public const int InitialMinutes = 70;
    public const int SubsequentMinutes = 60;
    public const int AddOnMinutes = 30;

    /// <summary>What <paramref name="minutes"/> in a month reach; <paramref name="firstMonth"/> for the month of enrolment.</summary>
    public static CocmMonth For(int minutes, bool firstMonth)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minutes);
        var (code, full) = firstMonth ? (Initial, InitialMinutes) : (Subsequent, SubsequentMinutes);
        var threshold = full / 2 + 1;
        if (minutes < threshold)
        {
            return new CocmMonth(firstMonth, minutes, null, 0, threshold, code);
        }

        // Each add-on unit counts from 16 minutes into its 30: units = 1 + (minutes - full - 16) / 30 from full + 16 on.
        var addOnThreshold = AddOnMinutes / 2 + 1;
        var units = minutes < full + addOnThreshold ? 0 : 1 + (minutes - full - addOnThreshold) / AddOnMinutes;
        return new CocmMonth(firstMonth, minutes, code, units, full + units * AddOnMinutes + addOnThreshold, AddOn);
    }
}
