using System.Globalization;

namespace Huddle.Bench.Load;

/// <summary>
/// The median of some readings (samples within a run, or one figure over rounds) and their range.
/// Readings that are not finite (nothing measured) are left out.
/// </summary>
internal sealed record Spread(double Median, double Min, double Max, int Count)
{
    public static Spread Of(IEnumerable<double> values)
    {
        var sorted = values.Where(double.IsFinite).Order().ToArray();
        if (sorted.Length == 0)
        {
            return new Spread(double.NaN, double.NaN, double.NaN, 0);
        }

        var mid = sorted.Length / 2;
        var median = sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        return new Spread(median, sorted[0], sorted[^1], sorted.Length);
    }

    /// <summary>"median [min–max]", or just the median when there is one reading.</summary>
    public string Format(string format, double scale = 1)
    {
        var ci = CultureInfo.InvariantCulture;
        var median = (Median / scale).ToString(format, ci);
        return Count <= 1 ? median : $"{median} [{(Min / scale).ToString(format, ci)}…{(Max / scale).ToString(format, ci)}]";
    }
}
