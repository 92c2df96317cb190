using HdrHistogram;

namespace Huddle.Bench.Load;

/// <summary>Percentiles of a histogram recorded in microseconds, in milliseconds.</summary>
internal sealed record LatencySummary(long Count, double P50, double P90, double P99, double P999, double Max, double Mean)
{
    public static LatencySummary Of(HistogramBase h)
    {
        ArgumentNullException.ThrowIfNull(h);
        if (h.TotalCount == 0)
        {
            return new LatencySummary(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        }

        static double Ms(long micros) => Math.Round(micros / 1000.0, 3);
        return new LatencySummary(
            h.TotalCount,
            Ms(h.GetValueAtPercentile(50)),
            Ms(h.GetValueAtPercentile(90)),
            Ms(h.GetValueAtPercentile(99)),
            Ms(h.GetValueAtPercentile(99.9)),
            Ms(h.GetMaxValue()),
            Math.Round(h.GetMean() / 1000.0, 3));
    }

    /// <summary>The same percentiles of readings taken in milliseconds (e.g. a server's own timings).</summary>
    public static LatencySummary OfMilliseconds(IEnumerable<double> milliseconds)
    {
        var h = new LongHistogram(1, DeliveryBook.MaxMicros, 3);
        foreach (var ms in milliseconds)
        {
            h.RecordValue(Math.Clamp((long)Math.Round(ms * 1000), 1, DeliveryBook.MaxMicros));
        }

        return Of(h);
    }
}
