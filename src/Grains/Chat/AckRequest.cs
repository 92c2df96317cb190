using System.Collections.Immutable;
using Huddle.Contracts.Chat;

namespace Huddle.Grains.Chat;

/// <summary>
/// One acknowledgement request as its thread's row holds it: the message at <see cref="Seq"/>, who sent it,
/// who is asked (<see cref="Recipients"/>: the clinicians it named, <see cref="Mentions"/>, and whom each of its
/// <see cref="Roles"/> reached so far), who acknowledged and with which entry, how many re-notifications
/// went out, and when the next step is due. <see cref="NextAt"/> is null once it is closed: everyone asked
/// answered (<see cref="AckTally"/>: a role by any holder), or the re-notifications ran out and the sender
/// was told. A request stored before roles were kept has neither: each recipient is asked by name.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.ack-request")]
public sealed record AckRequest(
    [property: Id(0)] long Seq,
    [property: Id(1)] string SenderId,
    [property: Id(2)] ImmutableArray<string> Recipients,
    [property: Id(3)] ImmutableArray<AckBy> Acked,
    [property: Id(4)] int Renotified,
    [property: Id(5)] DateTimeOffset? NextAt,
    [property: Id(6)] bool Urgent,
    [property: Id(7)] ImmutableArray<string> Mentions = default,
    [property: Id(8)] ImmutableArray<RoleReach> Roles = default)
{
    /// <summary>True while re-notifications or the sender's notice are still to come.</summary>
    public bool IsOpen => NextAt is not null;

    /// <summary>How far it got: answered of asked, and the clinicians still waited for.</summary>
    public AckCount Count => AckTally.Count(Recipients, Mentions, Roles, Acked.Select(a => a.UserId));

    /// <summary>The recipients still waited for, in the order they were asked (every holder a still unanswered role reached).</summary>
    public ImmutableArray<string> Waiting => Count.Waiting;

    /// <summary>The acknowledgement <paramref name="userId"/> made, or null.</summary>
    public AckBy? AckOf(string userId) => Acked.FirstOrDefault(a => a.UserId == userId);
}

/// <summary>A recipient's acknowledgement: the log entry that recorded it (its seq and client id) and when.</summary>
[GenerateSerializer, Immutable, Alias("huddle.ack-by")]
public sealed record AckBy(
    [property: Id(0)] string UserId,
    [property: Id(1)] long Seq,
    [property: Id(2)] string ClientMessageId,
    [property: Id(3)] DateTimeOffset At);

/// <summary>A chat notification still owed to <see cref="UserId"/>'s inbox.</summary>
[GenerateSerializer, Immutable, Alias("huddle.owed-notice")]
public sealed record OwedNotice(
    [property: Id(0)] string UserId,
    [property: Id(1)] ChatNotice Notice);
