using System.Collections.Immutable;
using Huddle.Contracts.Handoffs;
using Huddle.Grains.Common;

namespace Huddle.Grains.Handoffs;

/// <summary>
/// A handoff grain's persisted state: the handoff (with its escalation and stale deadlines), its op ids,
/// and its outbox (the tells it still owes), all written in one write.
/// </summary>
[GenerateSerializer, Alias("huddle.handoff-state")]
public sealed class HandoffState
{
    [Id(0)]
    public Handoff? Handoff { get; set; }

    [Id(1)]
    public OperationLog Operations { get; set; } = OperationLog.Empty;

    // The field is what is serialized: a state stored before the outbox existed reads back a default
    // array, which the property turns into an empty one.
    [Id(2)]
    private ImmutableArray<OwedTell> _outbox = [];

    /// <summary>The tells still owed (<see cref="HandoffOutbox"/>): at most one per inbox involved, the desk and the patient.</summary>
    public ImmutableArray<OwedTell> Outbox
    {
        get => _outbox.IsDefault ? [] : _outbox;
        set => _outbox = value;
    }
}
