using System.Collections.Immutable;
using Huddle.Contracts.Chat;
using Huddle.Contracts.Common;
using Huddle.Contracts.Live;
using Huddle.Contracts.Users;
using Huddle.Web.Http;
using Huddle.Web.Live;

namespace Huddle.Web.Chat;

/// <summary>
/// The one door from web code (hub, HTTP) to chat: it checks thread ids before they become grain keys,
/// reads threads through the relay, and turns an unreachable grain or unconfirmed write into
/// <c>unavailable</c>. Each thread decides who may use it.
/// </summary>
public sealed partial class ChatService(IGrainFactory grains, FeedRelay relay, ILogger<ChatService> logger)
{
    private static readonly HuddleError InvalidThread = HuddleError.InvalidId("A thread id (pt.…, tm.… or dm.…)");

    private static HuddleError MissingArguments(string what) => HuddleError.Invalid($"A {what} needs its arguments (an object, not null).");

    /// <summary>The grains, for the service's other parts (a primary constructor's parameters are seen by its own part only).</summary>
    private IGrainFactory Grains => grains;

    /// <summary>This host's relay, for the service's other parts.</summary>
    private FeedRelay Relay => relay;

    /// <summary>
    /// The care teams whose clinicians and roles a writer in <paramref name="patient"/>'s thread may mention:
    /// <paramref name="shown"/> (the team the page is for) first, then the patient's other teams, whose
    /// clinicians are members of the thread too. A team that cannot be read now is left out.
    /// </summary>
    public async Task<ImmutableArray<Contracts.CareTeams.CareTeamProfile>> PatientTeamsAsync(Contracts.Patients.PatientProfile patient, Contracts.CareTeams.CareTeamProfile shown)
    {
        ArgumentNullException.ThrowIfNull(patient);
        ArgumentNullException.ThrowIfNull(shown);
        var others = await Task.WhenAll(patient.TeamIds.Where(t => t != shown.TeamId).Distinct(StringComparer.Ordinal).Select(async teamId =>
        {
            try
            {
                return await grains.Grain<Contracts.CareTeams.ICareTeamGrain>(teamId).GetProfileAsync();
            }
            catch (Exception ex) when (Failures.IsUnavailable(ex))
            {
                return null;
            }
        }));
        return [shown, .. others.OfType<Contracts.CareTeams.CareTeamProfile>()];
    }

    /// <summary>Sends a message to <paramref name="threadId"/> as <paramref name="userId"/>; the reply comes once it is stored.</summary>
    public Task<Result<MessageSent>> SendAsync(string userId, string threadId, SendMessage? message)
    {
        if (message is null)
        {
            // A JSON null binds to a hub method's object argument: the client's mistake, not a fault.
            return Task.FromResult<Result<MessageSent>>(MissingArguments("send"));
        }

        return CallAsync(threadId, "send", () => grains.Grain<IThreadGrain>(threadId).SendAsync(userId, message));
    }

    /// <summary>The catch-up read of a thread (without <paramref name="since"/>: its newest page), without watching.</summary>
    public async Task<Result<FeedReply<ThreadSnapshot, ThreadChange>>> ReadAsync(string userId, string threadId, long? since,
        long epoch = FeedPosition.AnyEpoch, int limit = 0) =>
        ThreadIds.Parse(threadId) is null ? InvalidThread : await relay.ReadAsync<ThreadSnapshot, ThreadChange>(ThreadRoute.FeedOf(threadId), userId, since, null, epoch, limit);

    /// <summary>A thread as <paramref name="userId"/>'s live copy on this host reads it.</summary>
    public FeedSource<ThreadSnapshot, ThreadChange> SourceOf(string userId, string threadId) => new(relay, ThreadRoute.FeedOf(threadId), userId);

    /// <summary>Messages before <paramref name="before"/>, for scrolling back.</summary>
    public Task<Result<ThreadHistory>> ReadBeforeAsync(string userId, string threadId, long before, int limit) =>
        CallAsync(threadId, "readBefore", () => grains.Grain<IThreadGrain>(threadId).ReadBeforeAsync(userId, before, limit));

    /// <summary>The direct thread of <paramref name="userId"/> and <paramref name="otherUserId"/>, started when new.</summary>
    public Task<Result<ThreadRef>> StartDirectAsync(string userId, string otherUserId) =>
        ThreadIds.ForDirect(userId, otherUserId) is { } threadId
            ? CallAsync(threadId, "startDirect", () => grains.Grain<IThreadGrain>(threadId).StartDirectAsync(userId, otherUserId))
            : Task.FromResult<Result<ThreadRef>>(HuddleError.Invalid("A direct thread is with another clinician, named by their user id."));

    /// <summary>
    /// The threads <paramref name="userId"/> has: each of their teams' (from their profile), then the direct
    /// threads started with them and the patient threads they wrote in (their thread list: at most
    /// <see cref="ChatLimits.MaxListedThreads"/>, newest first). A room display has none.
    /// </summary>
    public async Task<Result<ImmutableArray<ThreadRef>>> ListAsync(string userId)
    {
        try
        {
            var (profile, listed) = (grains.Grain<IUserGrain>(userId).GetAsync(), grains.Grain<IThreadListGrain>(userId).GetAsync());
            if (await profile is not { Kind: UserKind.Clinician } user)
            {
                return ImmutableArray<ThreadRef>.Empty;
            }

            var teams = user.TeamIds.Select(ThreadIds.ForTeam).OfType<string>().Select(id => new ThreadRef(id, ThreadKind.Team, id[3..]));
            return teams.Concat(await listed).DistinctBy(t => t.ThreadId).ToImmutableArray();
        }
        catch (Exception ex) when (Failures.IsUnavailable(ex))
        {
            LogUnavailable(ex, userId, "list");
            return Failures.Unavailable;
        }
    }

    private async Task<Result<T>> CallAsync<T>(string threadId, string op, Func<Task<Result<T>>> call)
    {
        if (ThreadIds.Parse(threadId) is null)
        {
            return InvalidThread;
        }

        try
        {
            return await call();
        }
        catch (Exception ex) when (Failures.IsUnavailable(ex))
        {
            LogUnavailable(ex, threadId, op);
            return Failures.Unavailable;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Chat call {Op} on {Key} could not reach its grain or storage")]
    private partial void LogUnavailable(Exception ex, string key, string op);
}
