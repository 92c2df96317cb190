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
        return CallAsync(id, request.Op, () => grains.GetGrain<IHandoffGrain>(id).RequestAsync(userId, request));
    }

    /// <summary>Applies <paramref name="command"/> to handoff <paramref name="handoffId"/> as <paramref name="userId"/>.</summary>
    public Task<Result<HandoffSummary>> ExecuteAsync(string userId, string handoffId, HandoffCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return CallAsync(handoffId, command.Op, () => grains.GetGrain<IHandoffGrain>(handoffId).ExecuteAsync(userId, command));
    }

    /// <summary>The whole handoff, for those who may open it (each open is logged).</summary>
    public Task<Result<Handoff>> OpenAsync(string userId, string handoffId) =>
        CallAsync(handoffId, "open", () => grains.GetGrain<IHandoffGrain>(handoffId).OpenAsync(userId));

    /// <summary>Opens the connection's own inbox; with <paramref name="since"/> only what it missed.</summary>
    public async Task<Result<InboxReply>> SubscribeInboxAsync(HubWatcher watcher, long? since)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        return ToInbox(await relay.OpenAsync(InboxRoute.FeedOf(watcher.UserId), watcher, since));
    }

    /// <summary>The catch-up read of <paramref name="userId"/>'s inbox, without watching.</summary>
    public async Task<Result<InboxReply>> ReadInboxAsync(string userId, long? since) =>
        ToInbox(await relay.ReadAsync(InboxRoute.FeedOf(userId), userId, since));

    /// <summary>
    /// Opens <paramref name="userId"/>'s inbox for a component on this host: every later change is
    /// handed to <paramref name="onChange"/> (on the relay's pump: post it to the renderer).
    /// </summary>
    public async Task<(Result<InboxReply> Open, IAsyncDisposable? Watch)> WatchInboxAsync(string userId, Action<InboxChange> onChange)
    {
        ArgumentNullException.ThrowIfNull(onChange);
        var (open, watch) = await relay.OpenLocalAsync(InboxRoute.FeedOf(userId), userId, null, null, p => onChange((InboxChange)p));
        return (ToInbox(open), watch);
    }

    /// <summary>Opens a team's open handoffs for a component on this host (the board's strip, the room display).</summary>
    public async Task<(Result<TeamHandoffsReply> Open, IAsyncDisposable? Watch)> WatchTeamAsync(string userId, string teamId, Action<TeamHandoffsChange> onChange)
    {
        ArgumentNullException.ThrowIfNull(onChange);
        if (!Ids.IsValid(teamId))
        {
            return (InvalidId, null);
        }

        var (open, watch) = await relay.OpenLocalAsync(TeamHandoffsRoute.FeedOf(teamId), userId, null, null, p => onChange((TeamHandoffsChange)p));
        return (ToTeam(open), watch);
    }

    /// <summary>A team's name and roster, for its members and room displays (names on screen, never raw ids).</summary>
    public async Task<Result<CareTeamProfile>> TeamAsync(string userId, string teamId)
    {
        var profile = await CallAsync(teamId, "team", async () =>
            Result<CareTeamProfile?>.Success(await grains.GetGrain<ICareTeamGrain>(teamId).GetProfileAsync()));
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
        CallAsync(patientId, "patientHandoffs", () => grains.GetGrain<IPatientGrain>(patientId).GetHandoffsAsync(userId));

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
            Result<PatientProfile?>.Success(await grains.GetGrain<IPatientGrain>(patientId).GetAsync()));
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

    /// <summary>Opens a team's open handoffs for a hub connection.</summary>
    public async Task<Result<TeamHandoffsReply>> SubscribeTeamAsync(HubWatcher watcher, string teamId, long? since)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        return Ids.IsValid(teamId) ? ToTeam(await relay.OpenAsync(TeamHandoffsRoute.FeedOf(teamId), watcher, since)) : InvalidId;
    }

    /// <summary>The catch-up read of a team's open handoffs.</summary>
    public async Task<Result<TeamHandoffsReply>> ReadTeamAsync(string userId, string teamId, long? since) =>
        Ids.IsValid(teamId) ? ToTeam(await relay.ReadAsync(TeamHandoffsRoute.FeedOf(teamId), userId, since)) : InvalidId;

    /// <summary>Replaces a team's escalation policy (members only).</summary>
    public Task<Result<EscalationPolicy>> SetPolicyAsync(string userId, string teamId, EscalationPolicy policy) =>
        CallAsync(teamId, "setPolicy", () => grains.GetGrain<ITeamHandoffsGrain>(teamId).SetPolicyAsync(userId, policy));

    /// <summary>Stops a hub connection watching a team's open handoffs.</summary>
    public Task UnsubscribeTeamAsync(string connectionId, string teamId) =>
        Ids.IsValid(teamId) ? relay.CloseAsync(TeamHandoffsRoute.FeedOf(teamId), connectionId) : Task.CompletedTask;

    private static Result<InboxReply> ToInbox(Result<FeedOpen> open) =>
        open.Map(o => new InboxReply(o.Seq, o.Reset, o.Snapshot as InboxSnapshot, [.. o.Changes.Cast<InboxChange>()]));

    private static Result<TeamHandoffsReply> ToTeam(Result<FeedOpen> open) =>
        open.Map(o => new TeamHandoffsReply(o.Seq, o.Reset, o.Snapshot as TeamHandoffsSnapshot, [.. o.Changes.Cast<TeamHandoffsChange>()]));

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
