using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Handoffs;
using Huddle.Contracts.Live;
using Huddle.Contracts.Patients;
using Huddle.Web.Http;
using Huddle.Web.Live;

namespace Huddle.Web.Handoffs;

/// <summary>
/// The one door from web code (hub, HTTP) to warm handoffs: it checks ids before they become grain
/// keys, gives a new request its handoff id, opens the inbox and team feeds through the relay, and
/// turns an unreachable grain or unconfirmed write into <c>unavailable</c>.
/// </summary>
public sealed partial class HandoffService(IGrainFactory grains, FeedRelay relay, ILogger<HandoffService> logger)
{
    private static readonly HuddleError InvalidId = HuddleError.InvalidId("An id");

    /// <summary>
    /// The id of a new handoff: opaque, and the same for a retried request with the same op id by the
    /// same user, so the retry reaches the grain that remembers it and creates nothing twice.
    /// </summary>
    public static string IdFor(string userId, string? opId) => opId is null
        ? $"h-{Guid.NewGuid():N}"
        : $"h-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{userId}\n{opId}")))[..32]}";

    /// <summary>Requests a handoff as <paramref name="userId"/>; the reply carries its new id.</summary>
    public Task<Result<HandoffSummary>> RequestAsync(string userId, RequestHandoff request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.OpId is { } opId && !Ids.IsValid(opId))
        {
            return Task.FromResult<Result<HandoffSummary>>(InvalidId);
        }

        var id = IdFor(userId, request.OpId);
        return CallAsync(id, request.Op, () => grains.Grain<IHandoffGrain>(id).RequestAsync(userId, request));
    }

    /// <summary>
    /// Readies the handoff that <paramref name="userId"/>'s request with <paramref name="opId"/> will create
    /// (its grain is activated and its empty row read now, off the ping's path) and returns its id.
    /// Changes nothing: the request itself still decides everything, and may never come.
    /// </summary>
    public async Task<Result<string>> PrepareAsync(string userId, string opId)
    {
        if (!Ids.IsValid(opId))
        {
            return InvalidId;
        }

        var id = IdFor(userId, opId);
        return await CallAsync(id, "prepare", async () =>
        {
            await grains.Grain<IHandoffGrain>(id).PrepareAsync();
            return Result<string>.Success(id);
        });
    }

    /// <summary>Applies <paramref name="command"/> to handoff <paramref name="handoffId"/> as <paramref name="userId"/>.</summary>
    public Task<Result<HandoffSummary>> ExecuteAsync(string userId, string handoffId, HandoffCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return CallAsync(handoffId, command.Op, () => grains.Grain<IHandoffGrain>(handoffId).ExecuteAsync(userId, command));
    }

    /// <summary>The whole handoff, for those who may open it (each open is logged).</summary>
    public Task<Result<Handoff>> OpenAsync(string userId, string handoffId) =>
        CallAsync(handoffId, "open", () => grains.Grain<IHandoffGrain>(handoffId).OpenAsync(userId));

    /// <summary>The catch-up read of <paramref name="userId"/>'s inbox (without <paramref name="since"/>: the inbox), without watching.</summary>
    public Task<Result<FeedReply<InboxSnapshot, InboxChange>>> ReadInboxAsync(string userId, long? since, long epoch = FeedPosition.AnyEpoch) =>
        InboxOf(userId).ReadAsync(since, epoch);

    /// <summary><paramref name="userId"/>'s own inbox, as their live copy on this host reads it.</summary>
    public FeedSource<InboxSnapshot, InboxChange> InboxOf(string userId) => new(relay, InboxRoute.FeedOf(userId), userId);

    /// <summary>A team's open handoffs as <paramref name="userId"/> reads them (the board's strip, the room display).</summary>
    public FeedSource<TeamHandoffsSnapshot, TeamHandoffsChange> TeamHandoffsOf(string userId, string teamId) => new(relay, TeamHandoffsRoute.FeedOf(teamId), userId);

    /// <summary>A team's name and roster, for its members and room displays (names on screen, never raw ids).</summary>
    public async Task<Result<CareTeamProfile>> TeamAsync(string userId, string teamId)
    {
        var profile = await CallAsync(teamId, "team", async () =>
            Result<CareTeamProfile?>.Success(await grains.Grain<ICareTeamGrain>(teamId).GetProfileAsync()));
        return profile switch
        {
            { Error: { } error } => error,
            { Value: null } => HuddleError.NotFound("Team", teamId),
            { Value: var team } when team!.AccessFor(userId) == TeamAccess.None => HuddleError.Forbidden("You are not on this care team."),
            { Value: var team } => team!,
        };
    }

    /// <summary>
    /// A patient of a team, for a member of that team: the name and room a request form or an opened
    /// handoff shows. Each read is logged by ids, like a handoff's open.
    /// </summary>
    /// <summary>The patient's warm handoffs, open and past, newest first (clinicians of the patient's teams).</summary>
    public Task<Result<ImmutableArray<HandoffSummary>>> PatientHandoffsAsync(string userId, string patientId) =>
        CallAsync(patientId, "patientHandoffs", () => grains.Grain<IPatientGrain>(patientId).GetHandoffsAsync(userId));

    public async Task<Result<PatientProfile>> PatientAsync(string userId, string teamId, string patientId)
    {
        var team = await TeamAsync(userId, teamId);
        if (team.Error is { } error)
        {
            return error;
        }

        if (team.Value!.AccessFor(userId) != TeamAccess.Member)
        {
            return HuddleError.Forbidden("Only the team's members may open its patients.");
        }

        var patient = await CallAsync(patientId, "patient", async () =>
            Result<PatientProfile?>.Success(await grains.Grain<IPatientGrain>(patientId).GetAsync()));
        if (patient.Error is { } failed)
        {
            return failed;
        }

        if (patient.Value is not { } profile || !profile.TeamIds.Contains(teamId))
        {
            return HuddleError.NotFound("Patient", patientId);
        }

        LogPatientRead(patientId, teamId, userId);
        return profile;
    }

    /// <summary>The catch-up read of a team's open handoffs.</summary>
    public Task<Result<FeedReply<TeamHandoffsSnapshot, TeamHandoffsChange>>> ReadTeamAsync(string userId, string teamId, long? since, long epoch = FeedPosition.AnyEpoch) =>
        TeamHandoffsOf(userId, teamId).ReadAsync(since, epoch);

    /// <summary>Replaces a team's escalation policy (members only).</summary>
    public Task<Result<EscalationPolicy>> SetPolicyAsync(string userId, string teamId, EscalationPolicy policy) =>
        CallAsync(teamId, "setPolicy", () => grains.Grain<ITeamHandoffsGrain>(teamId).SetPolicyAsync(userId, policy));

    private async Task<Result<T>> CallAsync<T>(string key, string op, Func<Task<Result<T>>> call)
    {
        if (!Ids.IsValid(key))
        {
            return InvalidId;
        }

        try
        {
            return await call();
        }
        catch (Exception ex) when (Failures.IsUnavailable(ex))
        {
            LogUnavailable(ex, key, op);
            return Failures.Unavailable;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handoff call {Op} on {Key} could not reach its grain or storage")]
    private partial void LogUnavailable(Exception ex, string key, string op);

    [LoggerMessage(Level = LogLevel.Information, Message = "Patient {PatientId} of team {TeamId} read by {UserId}")]
    private partial void LogPatientRead(string patientId, string teamId, string userId);
}
