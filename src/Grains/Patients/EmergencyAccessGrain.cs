using System.Collections.Immutable;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Patients;
using Huddle.Contracts.Users;
using Huddle.Grains.Common;
using Microsoft.Extensions.Options;

namespace Huddle.Grains.Patients;

/// <summary>The state row: the grants' count and those in force, nothing that grows with use.</summary>
[GenerateSerializer, Alias("huddle.emergency-access-state")]
public sealed class EmergencyAccessState
{
    /// <summary>How many grants the patient has had (the last one's number).</summary>
    [Id(0)]
    public long Count { get; set; }

    /// <summary>The grants in force when last written, one per clinician; expired ones leave at the next grant.</summary>
    [Id(1)]
    public ImmutableArray<EmergencyGrant> Active { get; set; } = [];
}

/// <summary>
/// A patient's emergency accesses (<see cref="IEmergencyAccessGrain"/>). Each grant, with its reason, is
/// written as its own page (numbered by the grant) before the row that counts it, so a grant answered is
/// never lost and the row holds only the grants in force (at most <see cref="MaxActive"/>).
/// </summary>
public sealed class EmergencyAccessGrain(
    [PersistentState(StorageNames.EmergencyAccessState, StorageNames.Huddle)] IPersistentState<EmergencyAccessState> state,
    IGrainHistoryStore history,
    HuddleClock clock,
    IOptions<EmergencyAccessOptions> options) : Grain, IEmergencyAccessGrain
{
    /// <summary>Grants in force at once for one patient; one more is <c>limit_exceeded</c>.</summary>
    public const int MaxActive = 64;

    private const string Stream = "grants";

    private string PatientId => this.GetPrimaryKeyString();

    public async Task<Result<EmergencyGrant>> GrantAsync(string userId, string reason)
    {
        var now = clock.UtcNow;
        if (await ActiveAsync(userId) is { } held)
        {
            AuditNote.Ref(held.Number.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return held;
        }

        reason = (reason ?? "").Trim();
        if (reason.Length is < EmergencyGrant.MinReason or > EmergencyGrant.MaxReason)
        {
            return HuddleError.Invalid($"Say why you need this patient's record: {EmergencyGrant.MinReason}-{EmergencyGrant.MaxReason} characters.");
        }

        var (user, patient) = (GrainFactory.Grain<IUserGrain>(userId).GetAsync(), GrainFactory.Grain<IPatientGrain>(PatientId).GetAsync());
        if (await user is not { Kind: UserKind.Clinician })
        {
            return HuddleError.Forbidden("Only clinicians may use emergency access.");
        }

        if (await patient is not { } profile)
        {
            return HuddleError.NotFound("Patient", PatientId);
        }

        foreach (var teamId in profile.TeamIds)
        {
            if (await GrainFactory.Grain<ICareTeamGrain>(teamId).GetAccessAsync(userId) == TeamAccess.Member)
            {
                return HuddleError.State("You are on this patient's care team: open the patient from your team's board.");
            }
        }

        var active = state.State.Active.Where(g => g.InForce(now)).ToImmutableArray();
        if (active.Length >= MaxActive)
        {
            return HuddleError.Limit($"At most {MaxActive} emergency accesses to one patient may be in force at once.");
        }

        var duration = options.Value.Duration;
        var grant = new EmergencyGrant(PatientId, state.State.Count + 1, userId, now, now + duration, reason);
        // The grant's own page first: a retry after a failed row write writes the same number again.
        await history.WritePageAsync(this.GetGrainId(), Stream, grant.Number, grant);
        var before = (state.State.Count, state.State.Active);
        (state.State.Count, state.State.Active) = (grant.Number, active.Add(grant));
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            (state.State.Count, state.State.Active) = before;
            throw;
        }

        AuditNote.Ref(grant.Number.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return grant;
    }

    public Task<EmergencyGrant?> ActiveAsync(string userId)
    {
        var now = clock.UtcNow;
        return Task.FromResult(state.State.Active.FirstOrDefault(g => g.UserId == userId && g.InForce(now)));
    }

    public Task<ImmutableArray<string>> HoldersAsync()
    {
        var now = clock.UtcNow;
        return Task.FromResult(state.State.Active.Where(g => g.InForce(now)).Select(g => g.UserId).ToImmutableArray());
    }

    public async Task<Result<EmergencyGrant>> ReviewAsync(string userId, long number, EmergencyReviewOutcome outcome, string? note)
    {
        AuditNote.Ref(number.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (await GrainFactory.Grain<IUserGrain>(userId).GetAsync() is not { Kind: UserKind.Administrator })
        {
            return HuddleError.Forbidden("Only administrators review emergency accesses.");
        }

        note = string.IsNullOrWhiteSpace(note) ? null : note.Trim();
        if (!Enum.IsDefined(outcome) || note is { Length: > EmergencyReview.MaxNote })
        {
            return HuddleError.Invalid($"A review is appropriate or followUp, with a note of at most {EmergencyReview.MaxNote} characters.");
        }

        if (await GetAsync(userId, number) is not { } grant)
        {
            return HuddleError.NotFound("Emergency access", $"{PatientId}#{number}");
        }

        if (grant.Review is { } done)
        {
            return HuddleError.State($"Emergency access #{number} was reviewed already ({done.At:yyyy-MM-dd HH:mm} UTC, by user {done.ReviewerId}).");
        }

        // The grant's page holds it: the row keeps only grants in force and needs no write.
        var reviewed = grant with { Review = new EmergencyReview(userId, clock.UtcNow, outcome, note) };
        await history.WritePageAsync(this.GetGrainId(), Stream, number, reviewed);
        return reviewed;
    }

    public async Task<EmergencyGrant?> GetAsync(string userId, long number)
    {
        AuditNote.Ref(number.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await foreach (var page in history.ReadPagesAsync<EmergencyGrant>(this.GetGrainId(), Stream, number, number))
        {
            return page.Content;
        }

        return null;
    }
}
