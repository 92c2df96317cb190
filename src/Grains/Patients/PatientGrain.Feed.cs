using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Live;
using Huddle.Contracts.Patients;
using Huddle.Contracts.Registry;
using Huddle.Grains.Live;
using Microsoft.Extensions.Logging;

namespace Huddle.Grains.Patients;

/// <summary>
/// The patient's care feed, <c>care:{patientId}</c>: after every stored change of the care record or
/// the profile, the whole <see cref="PatientCareView"/> (the care as the patient's page shows it and the
/// patient's flags) is published to clinicians on the patient's care teams. A view replaces the one held,
/// so the ring keeps only a few (<see cref="CareRing"/>): a watcher further behind re-reads the snapshot,
/// which is the same thing. The seq lives in the activation (a new one is a new epoch).
/// </summary>
public sealed partial class PatientGrain
{
    /// <summary>Changes kept for catch-up: each is a whole view, so the last one alone would do; a few spare the snapshot on a short gap.</summary>
    private const int CareRing = 4;

    private FeedPublisher? _careFeed;
    private long _careSeq;

    private FeedPublisher CareFeed => _careFeed ??= new FeedPublisher(new FeedId(IPatientGrain.CareFeed, PatientId), _careSeq,
        new FeedOptions { ObserverExpiry = feedOptions.Value.ObserverExpiry, BufferSize = Math.Min(CareRing, feedOptions.Value.BufferSize) }, logger);

    public Task<FeedPosition> SubscribeAsync(string kind, IFeedObserver observer) => CareFeed.SubscribeAsync(kind, observer);

    public Task UnsubscribeAsync(string kind, IFeedObserver observer) => CareFeed.UnsubscribeAsync(kind, observer);

    public Task<FeedCatchUp> ReadSinceAsync(string kind, long seq, long epoch = FeedPosition.AnyEpoch, int limit = 0) =>
        CareFeed.ReadSinceAsync(kind, seq, epoch, limit);

    public async Task<Result<FeedOpen>> OpenAsync(string kind, string userId, long? since, string? audience = null,
        long epoch = FeedPosition.AnyEpoch, int limit = 0)
    {
        CareFeed.CheckKind(kind);
        if (state.State.Profile is null)
        {
            return HuddleError.NotFound("Patient", PatientId);
        }

        // Members of the patient's teams only (asked afresh at every open, so a roster change ends the
        // watch): emergency access opens the emergency page's reads, never a standing feed.
        if (!await IsMemberOfAnyAsync(state.State.Profile, userId))
        {
            return HuddleError.Forbidden("Only clinicians on the patient's care teams can watch the patient's care.");
        }

        if (audience is not null && audience != FeedAudiences.Members)
        {
            return HuddleError.Forbidden($"The patient's '{audience}' stream is not open to this user.");
        }

        return await CareFeed.OpenAsync(FeedAudiences.Members, since, epoch, limit,
            async () => (object)new PatientCareView(await ViewAsync(state.State.Profile!), state.State.Profile!.Flags));
    }

    /// <summary>
    /// Publishes the view after a stored change and returns its care (null when it could not be read:
    /// then watchers are told to re-read, so none keeps the view from before the change).
    /// <paramref name="team"/> is the enrolling team when the caller has just read it.
    /// </summary>
    private async Task<PatientCare?> PublishCareAsync(PatientProfile profile, CareTeamProfile? team = null)
    {
        var seq = ++_careSeq;
        PatientCareView? view = null;
        try
        {
            view = new PatientCareView(await ViewAsync(profile, team), profile.Flags);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogCareViewFailed(ex, PatientId);
        }

        var change = new PatientCareChange(PatientId, seq, view, clock.UtcNow, Reset: view is null);
        CareFeed.Publish(seq, [new(FeedAudiences.Members, change)]);
        return view?.Care;
    }

    private async Task<bool> IsMemberOfAnyAsync(PatientProfile profile, string userId)
    {
        foreach (var teamId in profile.TeamIds)
        {
            if (await GrainFactory.GetGrain<ICareTeamGrain>(teamId).GetAccessAsync(userId) == TeamAccess.Member)
            {
                return true;
            }
        }

        return false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Patient {PatientId}: the care view could not be read after a change; its watchers are told to re-read")]
    private partial void LogCareViewFailed(Exception ex, string patientId);
}
