using System.Collections.Immutable;
using Huddle.Contracts.Audit;

namespace Huddle.Web.Audit;

/// <summary>Records matching an <see cref="AuditQuery"/>, newest first; <see cref="Before"/> reads on from where they stop (null: nothing older).</summary>
public sealed record AuditResults(ImmutableArray<AuditRecord> Records, long? Before);
