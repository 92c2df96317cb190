using System.Collections.Immutable;
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
/// which is the same thing. The seq lives in the activation (a new one is a new epoch), so nothing is
/// published before the feed is first opened or subscribed: no reader can hold this activation's epoch.
/// </summary>
public sealed partial class PatientGrain
{
    /// <summary>Changes kept for catch-up: each is a whole view, so the last one alone would do; a few spare the snapshot on a short gap.</summary>
    private const int CareRing = 4;

    private FeedPublisher? _careFeed;

    /// <summary>The team day of the view last published (a day's change alone changes its status: weeks, minutes this month).</summary>
    private DateOnly? _publishedDay;

    private FeedPublisher CareFeed => _careFeed ??= new FeedPublisher(new FeedId(IPatientGrain.CareFeed, PatientId), 0,
        feedOptions.Value.WithBufferSize(Math.Min(CareRing, feedOptions.Value.BufferSize)), logger, localHosts: LocalFeedHosts.In(ServiceProvider));

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

        // A reset in the missed stretch (a view that could not be read) is answered with the snapshot at once.
        return await CareFeed.OpenAsync(FeedAudiences.Members, since, epoch, limit,
            async () => (object)new PatientCareView(await ViewAsync(state.State.Profile!), state.State.Profile!.Flags),
            change => change is PatientCareChange { Reset: true });
    }

    /// <summary>
    /// Publishes the view after a stored change and returns its care (null when it could not be read: then
    /// watchers are told to re-read, so none keeps the view from before the change; or when nobody has opened
    /// the feed in this activation, so there is nothing to publish). <paramref name="team"/>
    /// is the enrolling team when the caller has just read it; <paramref name="roster"/> moves watchers first
    /// (a team the patient left).
    /// </summary>
    private async Task<PatientCare?> PublishCareAsync(PatientProfile profile, CareTeamProfile? team = null, FeedRoster? roster = null)
    {
        if (_careFeed is null)
        {
            return null;
        }

        PatientCareView? view = null;
        try
        {
            view = new PatientCareView(await ViewAsync(profile, team), profile.Flags);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Not dropped: the change still goes out, as a reset, so every watcher re-reads the stored truth.
            LogCareViewFailed(ex, PatientId);
        }

        var seq = _careFeed.Seq + 1;
        _careFeed.Publish(seq, [new(FeedAudiences.Members, new PatientCareChange(PatientId, seq, view, clock.UtcNow, Reset: view is null))], roster);
        _publishedDay = view?.Care.Today;
        return view?.Care;
    }

    /// <summary>
    /// Who may still watch after the patient left a team: every member of the teams the patient is on now
    /// (a team that cannot be read counts as none: its members re-open, and are asked afresh).
    /// </summary>
    private async Task<FeedRoster> RosterOfAsync(PatientProfile profile)
    {
        var byUser = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var teamId in profile.TeamIds)
        {
            try
            {
                foreach (var member in (await GrainFactory.Grain<ICareTeamGrain>(teamId).GetProfileAsync())?.Members ?? [])
                {
                    byUser[member.UserId] = FeedAudiences.Members;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Fails closed, nothing owed: the team's watchers are dropped with a reset, and re-opening asks access afresh.
                LogCareRosterFailed(ex, PatientId, teamId);
            }
        }

        return new FeedRoster(byUser.ToImmutable());
    }

    private async Task<bool> IsMemberOfAnyAsync(PatientProfile profile, string userId)
    {
        foreach (var teamId in profile.TeamIds)
        {
            if (await GrainFactory.Grain<ICareTeamGrain>(teamId).GetAccessAsync(userId) == TeamAccess.Member)
            {
                return true;
            }
        }

        return false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Patient {PatientId}: the care view could not be read after a change; its watchers are told to re-read")]
    private partial void LogCareViewFailed(Exception ex, string patientId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Patient {PatientId}: team {TeamId} could not be read for the care feed's roster; its members re-open")]
    private partial void LogCareRosterFailed(Exception ex, string patientId, string teamId);
}
