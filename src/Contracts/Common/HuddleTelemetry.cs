using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Huddle.Contracts.Common;

/// <summary>
/// Huddle's own traces and metrics: one <see cref="ActivitySource"/> and one <see cref="Meter"/>,
/// both named <see cref="Name"/>. Tags carry ids and operation names only, never patient data
/// (names, notes, card text): a tag value is something an operator may read.
/// </summary>
public static class HuddleTelemetry
{
    /// <summary>The name of Huddle's activity source and meter.</summary>
    public const string Name = "Huddle";

    public static readonly ActivitySource Source = new(Name);

    public static readonly Meter Meter = new(Name);

    /// <summary>Accepted board changes, tagged with the operation (e.g. <c>addCard</c>).</summary>
    public static readonly Counter<long> BoardChanges = Meter.CreateCounter<long>("huddle.board.changes", "{change}", "Board changes accepted and stored.");

    /// <summary>Clients a relayed change was sent to, per change.</summary>
    public static readonly Histogram<int> RelayFanout = Meter.CreateHistogram<int>("huddle.relay.fanout", "{client}", "Local client groups one relayed change was pushed to.");

    /// <summary>Grain storage calls, tagged with operation, state name and outcome.</summary>
    public static readonly Histogram<double> StorageDuration = Meter.CreateHistogram<double>("huddle.storage.duration", "s", "Duration of grain storage calls.");

    /// <summary>Counts one accepted board change.</summary>
    public static void BoardChanged(string op) => BoardChanges.Add(1, new KeyValuePair<string, object?>("huddle.op", op));

    /// <summary>Records one relayed change pushed to <paramref name="groups"/> client groups.</summary>
    public static void Relayed(string feed, int groups) => RelayFanout.Record(groups, new KeyValuePair<string, object?>("huddle.feed", feed));

    /// <summary>Records one grain storage call.</summary>
    public static void RecordStorageCall(string operation, string stateName, string outcome, TimeSpan elapsed) =>
        StorageDuration.Record(elapsed.TotalSeconds,
            new KeyValuePair<string, object?>("huddle.storage.operation", operation),
            new KeyValuePair<string, object?>("huddle.storage.state", stateName),
            new KeyValuePair<string, object?>("huddle.storage.outcome", outcome));
}
