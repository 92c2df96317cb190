using System.Globalization;

namespace Huddle.Bench;

/// <summary>What the machine was doing: other work (builds, test runs) moves every figure.</summary>
internal static class Machine
{
    /// <summary>/proc/loadavg as it reads ("1m 5m 15m running/total lastpid"), or "" off Linux.</summary>
    public static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "";

    /// <summary>The one-minute figure of a <see cref="LoadAverage"/> reading, NaN when unknown.</summary>
    public static double OneMinute(string loadavg) =>
        double.TryParse(loadavg.Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN;
}
