namespace Huddle.Contracts.Boards;

/// <summary>An accepted board operation: the board's version after it.</summary>
/// <param name="Version">The version the operation produced (for a repeated op id: the first one's).</param>
[GenerateSerializer, Immutable, Alias("huddle.command-outcome")]
public sealed record CommandOutcome([property: Id(0)] long Version);
