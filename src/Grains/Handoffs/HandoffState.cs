using Huddle.Contracts.Handoffs;
using Huddle.Grains.Common;

namespace Huddle.Grains.Handoffs;

/// <summary>A handoff grain's persisted state: the handoff (with its escalation deadline) and its op ids.</summary>
[GenerateSerializer, Alias("huddle.handoff-state")]
public sealed class HandoffState
{
    [Id(0)]
    public Handoff? Handoff { get; set; }

    [Id(1)]
    public OperationLog Operations { get; set; } = OperationLog.Empty;
}
