using System.Collections.Immutable;

namespace Huddle.Web.Audit;

/// <summary>Who opened or changed one patient's data (the privacy officer's report): a row a person, busiest first.</summary>
public sealed record PatientAccessReport(string PatientId, ImmutableArray<PatientAccessRow> People, bool Complete);
