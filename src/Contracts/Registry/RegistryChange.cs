namespace Huddle.Contracts.Registry;

/// <summary>
/// One change of a team's registry (<c>registry:{teamId}</c>, event <c>RegistryChanged</c>): a patient's
/// entry as it now is, or <see cref="RemovedPatientId"/> when the patient left the registry (discharged,
/// enrolled elsewhere). A change with <see cref="Reset"/> carries neither: re-read.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.registry-change")]
public sealed record RegistryChange(
    [property: Id(0)] string TeamId,
    [property: Id(1)] long Seq,
    [property: Id(2)] RegistryEntry? Entry,
    [property: Id(3)] string? RemovedPatientId,
    [property: Id(4)] DateTimeOffset At,
    [property: Id(5)] bool Reset = false);
