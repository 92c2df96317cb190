using System.Collections.Immutable;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Live;
using Huddle.Contracts.Registry;
using Huddle.Grains.CareTeams;
using Huddle.Grains.Common;
using Huddle.Grains.Live;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Huddle.Grains.Registry;

/// <summary>
/// A team's Collaborative Care registry (key: the team id), a projection of its patients' care records
/// told by their grains: the enrolled patients, and each patient's latest discharged episode for the
/// metrics (<see cref="IRegistryGrain.EpisodesAsync"/>, kept 13 months). Stored as 64 shards (history pages, stream <c>registry</c>), so a patient's
/// change rewrites the one shard that holds them; the activation reads them all once and keeps them in
/// memory. The status (prompts, response, billing) is computed at each read for the team's today, so the
/// rows never need rewriting as time passes, and a read never writes. Each stored change is published on
/// the feed <c>registry:{teamId}</c> (members only; the seq lives in the activation, a new one a new epoch).
/// </summary>
public sealed partial class RegistryGrain(IGrainHistoryStore history, HuddleClock clock, IOptions<FeedOptions> feedOptions, ILogger<RegistryGrain> logger)
    : Grain, IRegistryGrain
{
    /// <summary>The history stream of the registry's shards.</summary>
    public const string ShardsStream = "registry";

    private readonly RegistryShard[] _shards = [.. Enumerable.Repeat(RegistryShard.Empty, PanelShard.Count)];

    private FeedPublisher? _feed;
    private long _seq;

    private string TeamId => this.GetPrimaryKeyString();

    private FeedPublisher Feed => _feed ??= new FeedPublisher(new FeedId(IRegistryGrain.Feed, TeamId), _seq, feedOptions.Value, logger,
        localHosts: LocalFeedHosts.In(ServiceProvider));

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await foreach (var page in history.ReadPagesAsync<RegistryShard>(this.GetGrainId(), ShardsStream, 0, PanelShard.Count - 1, cancellationToken))
        {
            _shards[page.Number] = page.Content;
        }

        await base.OnActivateAsync(cancellationToken);
    }

    public async Task TrackAsync(RegistryEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var index = PanelShard.Of(entry.PatientId);
        var shard = _shards[index];
        var held = shard.Entries.FirstOrDefault(e => e.PatientId == entry.PatientId);
        if (held is not null && held.Version >= entry.Version)
        {
            return;
        }

        var listed = entry.Enrolment is { IsActive: true } enrolment && enrolment.TeamId == TeamId;
        // Discharged from this team: kept for the metrics (intention to treat), out of the list.
        var closed = entry.Enrolment is { IsActive: false } ended && ended.TeamId == TeamId;
        if (!listed && !closed && held?.Enrolment is { IsActive: false })
        {
            // Enrolled elsewhere since: this team's episode stays as it ended.
            return;
        }

        if (held is null && !listed)
        {
            return;
        }

        if (held is null && _shards.Sum(s => s.Entries.Count(e => e.Enrolment is { IsActive: true })) >= RegistryLimits.Enrolled)
        {
            // Refused for good (a retry would not fit either): the patient's record keeps the truth.
            LogFull(TeamId, RegistryLimits.Enrolled);
            return;
        }

        var others = held is null ? shard.Entries : shard.Entries.Remove(held);
        var next = new RegistryShard(Pruned(listed || closed ? others.Add(entry) : others));
        await history.WritePageAsync(this.GetGrainId(), ShardsStream, index, next);
        _shards[index] = next;
        var change = new RegistryChange(TeamId, ++_seq, listed ? entry : null, listed ? null : entry.PatientId, clock.UtcNow);
        Feed.Publish(_seq, [new(FeedAudiences.Members, change)]);
    }

    /// <summary>
    /// <paramref name="entries"/> without the discharged episodes the metrics no longer reach (discharged over
    /// <see cref="RegistryLimits.DischargedKeptMonths"/> months ago) and, past a shard's share of
    /// <see cref="RegistryLimits.DischargedKept"/>, the longest discharged: a shard holds its enrolled patients
    /// and at most that many episodes, however long the team runs.
    /// </summary>
    private ImmutableArray<RegistryEntry> Pruned(ImmutableArray<RegistryEntry> entries)
    {
        var from = KeptFrom;
        var closed = entries.Where(e => e.Enrolment is { DischargedOn: { } on } && on >= from)
            .OrderByDescending(e => e.Enrolment!.DischargedOn).Take(RegistryLimits.DischargedKept / PanelShard.Count).ToHashSet();
        return [.. entries.Where(e => e.Enrolment is { IsActive: true } || closed.Contains(e))];
    }

    /// <summary>The first discharge day the metrics still reach.</summary>
    private DateOnly KeptFrom => DateOnly.FromDateTime(clock.UtcNow.UtcDateTime).AddMonths(-RegistryLimits.DischargedKeptMonths);

    public async Task<Result<RegistryView>> GetAsync(string userId)
    {
        var team = await MemberAsync(userId);
        return team.Error is { } denied ? denied : ViewOf(team.Value!);
    }

    public Task<FeedPosition> SubscribeAsync(string kind, IFeedObserver observer) => Feed.SubscribeAsync(kind, observer);

    public Task UnsubscribeAsync(string kind, IFeedObserver observer) => Feed.UnsubscribeAsync(kind, observer);

    public Task<FeedCatchUp> ReadSinceAsync(string kind, long seq, long epoch = FeedPosition.AnyEpoch, int limit = 0) =>
        Feed.ReadSinceAsync(kind, seq, epoch, limit);

    public async Task<Result<FeedOpen>> OpenAsync(string kind, string userId, long? since, string? audience = null,
        long epoch = FeedPosition.AnyEpoch, int limit = 0)
    {
        Feed.CheckKind(kind);
        var team = await MemberAsync(userId);
        if (team.Error is { } denied)
        {
            return denied;
        }

        if (audience is not null && audience != FeedAudiences.Members)
        {
            return HuddleError.Forbidden($"The registry's '{audience}' stream is not open to this user.");
        }

        return await Feed.OpenAsync(FeedAudiences.Members, since, epoch, limit, () => ViewOf(team.Value!));
    }

    /// <summary>The team, once <paramref name="userId"/> is a clinician on it (asked afresh at every read and open).</summary>
    private async Task<Result<CareTeamProfile>> MemberAsync(string userId)
    {
        var team = await GrainFactory.Grain<ICareTeamGrain>(TeamId).GetProfileAsync();
        return team is null ? HuddleError.NotFound("Team", TeamId)
            : team.IsMember(userId) ? team
            : HuddleError.Forbidden("Only clinicians on the care team can read its registry.");
    }

    public async Task<Result<RegistryView>> EpisodesAsync(string userId)
    {
        var team = await MemberAsync(userId);
        return team.Error is { } denied ? denied : ViewOf(team.Value!, withDischarged: true);
    }

    /// <summary>The rows as of the team's today: the enrolled patients, and with <paramref name="withDischarged"/> the episodes kept for the metrics.</summary>
    private RegistryView ViewOf(CareTeamProfile team, bool withDischarged = false)
    {
        var today = team.DayAt(clock.UtcNow);
        var from = KeptFrom;
        return new RegistryView(TeamId, today, RegistryRules.Rows(_shards.SelectMany(s => s.Entries)
            .Where(e => e.Enrolment is { IsActive: true } || (withDischarged && e.Enrolment is { DischargedOn: { } on } && on >= from)), today));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Registry of team {TeamId} holds its {Limit} patients; an enrolment was not listed")]
    private partial void LogFull(string teamId, int limit);
}
