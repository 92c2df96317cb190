using System.Collections.Immutable;

namespace Huddle.Web.Audit;

/// <summary>One person's calls on the patient's data: when first and last, how many, how many refused, which operations.</summary>
public sealed record PatientAccessRow(string UserId, string? DisplayName, DateTimeOffset First, DateTimeOffset Last, int Calls, int Denied, ImmutableArray<string> Actions);
