namespace Huddle.Grains.Handoffs;

/// <summary>Who a handoff's grain tells about each stored change.</summary>
public enum TellReceiver
{
    /// <summary>A clinician's inbox (<c>IInboxGrain.DeliverAsync</c>), keyed by user id.</summary>
    Inbox,

    /// <summary>The team's desk (<c>ITeamHandoffsGrain.TrackAsync</c>), keyed by team id.</summary>
    Desk,

    /// <summary>The patient's history (<c>IPatientGrain.TrackHandoffAsync</c>), keyed by patient id.</summary>
    Patient,

    /// <summary>A pinged clinician's push devices (<c>IPushDevicesGrain.NotifyAsync</c>), keyed by user id: one per ping.</summary>
    Push,

    /// <summary>
    /// The presence of the clinician who joined or completed the handoff (<c>IPresenceGrain</c>), keyed by user
    /// id: "in session" while it is in progress, back to available once it is completed.
    /// </summary>
    Presence,
}

/// <summary>
/// One tell a handoff's grain still owes, stored in its outbox: <see cref="Key"/> (of <see cref="Receiver"/>)
/// must be sent the handoff at <see cref="Version"/> or later; <see cref="Ping"/> when that inbox is asked
/// to answer. Removed only once the receiver's call returned.
/// </summary>
[GenerateSerializer, Immutable, Alias("huddle.handoff-owed-tell")]
public sealed record OwedTell(
    [property: Id(0)] TellReceiver Receiver,
    [property: Id(1)] string Key,
    [property: Id(2)] long Version,
    [property: Id(3)] bool Ping);
