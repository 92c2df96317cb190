using System.Collections.Immutable;
using Huddle.Contracts.Common;

namespace Huddle.Contracts.Patients;

/// <summary>
/// Emergency access to one patient's data ("break the glass", HIPAA 164.312(a)(2)(ii)): one grain per
/// patient, keyed by the patient id. A clinician not on the patient's care teams states why and may
/// then read the patient's handoffs and thread, for a configured time; each access is numbered, kept
/// with its reason, recorded in the audit trail with its number, and listed for administrators.
/// </summary>
public interface IEmergencyAccessGrain : IGrainWithStringKey
{
    /// <summary>
    /// Grants <paramref name="userId"/> access for <c>Huddle:EmergencyAccess:Duration</c> (1 hour by
    /// default), stating <paramref name="reason"/> (10-500 characters). Refused: a user who is no
    /// clinician (<c>forbidden</c>), an unknown patient (<c>not_found</c>), a clinician already on one of
    /// the patient's care teams (<c>invalid_state</c>: they need none), a reason too short or too long
    /// (<c>validation_failed</c>). Asking again while a grant is in force answers that grant.
    /// </summary>
    Task<Result<EmergencyGrant>> GrantAsync(string userId, string reason);

    /// <summary>The grant of <paramref name="userId"/> in force now, or null: what other grains ask before refusing.</summary>
    [AlwaysInterleave]
    [Audit.NotAudited("A check other grains make before refusing: the read it lets through is audited.")]
    Task<EmergencyGrant?> ActiveAsync(string userId);

    /// <summary>The clinicians with a grant in force now (a patient's thread counts them among its members).</summary>
    [AlwaysInterleave]
    Task<ImmutableArray<string>> HoldersAsync();

    /// <summary>
    /// An administrator (<paramref name="userId"/>, checked at this call) marks grant
    /// <paramref name="number"/> reviewed: <paramref name="outcome"/> and an optional note (at most 500
    /// characters, kept with the grant, never in the audit record). Once only: a grant already reviewed
    /// is <c>invalid_state</c>, naming who did it.
    /// </summary>
    Task<Result<EmergencyGrant>> ReviewAsync(string userId, long number, EmergencyReviewOutcome outcome, string? note);

    /// <summary>Grant number <paramref name="number"/>, with its reason, for the administrator <paramref name="userId"/> (the web host checks the role); null when there is none.</summary>
    [AlwaysInterleave]
    Task<EmergencyGrant?> GetAsync(string userId, long number);
}

/// <summary>One emergency access: who, why, from when until when. <see cref="Number"/> counts the patient's grants from 1.</summary>
[GenerateSerializer, Immutable, Alias("huddle.emergency-grant")]
public sealed record EmergencyGrant(
    [property: Id(0)] string PatientId,
    [property: Id(1)] long Number,
    [property: Id(2)] string UserId,
    [property: Id(3)] DateTimeOffset At,
    [property: Id(4)] DateTimeOffset Until,
    [property: Id(5)] string Reason,
    [property: Id(6)] EmergencyReview? Review = null)
{
    public const int MinReason = 10;
    public const int MaxReason = 500;

    public bool InForce(DateTimeOffset now) => now < Until;
}

/// <summary>What an administrator concluded of an emergency access.</summary>
public enum EmergencyReviewOutcome
{
    /// <summary>The reason fits what was opened: nothing more to do.</summary>
    Appropriate,

    /// <summary>Needs follow-up (the privacy officer asks the clinician, or it goes to the compliance process).</summary>
    FollowUp,
}

/// <summary>An administrator's review of an emergency access: who, when, what they concluded, and an optional note.</summary>
[GenerateSerializer, Immutable, Alias("huddle.emergency-review")]
public sealed record EmergencyReview(
    [property: Id(0)] string ReviewerId,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] EmergencyReviewOutcome Outcome,
    [property: Id(3)] string? Note)
{
    public const int MaxNote = 500;
}
